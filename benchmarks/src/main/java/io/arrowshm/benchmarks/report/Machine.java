package io.arrowshm.benchmarks.report;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Where the figures came from. The load average is recorded at the start and the end because
 * figures from a busy machine are not comparable with a quiet run's.
 */
public record Machine(String date, String host, String cpuModel, int logicalCpus, int availableProcessors,
        String kernel, String jdk, String jdk25, String python, String numpy, String pyshmem,
        String loadAverageAtStart, String loadAverageAtEnd) {

    public static Machine describe(Optional<String> python) {
        JsonObject versions = python.map(Machine::pythonVersions).orElse(new JsonObject());
        return new Machine(OffsetDateTime.now().withNano(0).toString(), hostName(), readCpuModel(), countCpus(),
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"), findJdk25(),
                text(versions, "python"), text(versions, "numpy"), text(versions, "pyshmem"), loadAverage(), null);
    }

    public Machine finished() {
        return new Machine(date, host, cpuModel, logicalCpus, availableProcessors, kernel, jdk, jdk25, python, numpy,
                pyshmem, loadAverageAtStart, loadAverage());
    }

    /** The JDK of the JDK 25 column, from its {@code release} file (as JmhStage finds it), or "none". */
    private static String findJdk25() {
        Path home = io.arrowshm.benchmarks.jmh.JmhStage.jdk25Home();
        try {
            return Files.readAllLines(home.resolve("release")).stream()
                    .filter(line -> line.startsWith("IMPLEMENTOR=") || line.startsWith("JAVA_RUNTIME_VERSION="))
                    .map(line -> line.substring(line.indexOf('=') + 1).replace("\"", ""))
                    .collect(java.util.stream.Collectors.joining(" ")) + " (" + home + ")";
        } catch (IOException e) {
            return "none at " + home;
        }
    }

    private static String readCpuModel() {
        return cpuinfo().stream().filter(line -> line.startsWith("model name"))
                .map(line -> line.substring(line.indexOf(':') + 1).trim()).findFirst().orElse("unknown");
    }

    private static int countCpus() {
        return (int) cpuinfo().stream().filter(line -> line.startsWith("processor")).count();
    }

    private static List<String> cpuinfo() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo"));
        } catch (IOException e) {
            return List.of();
        }
    }

    private static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static JsonObject pythonVersions(String python) {
        String script = "import importlib.metadata as m, json, platform, numpy; print(json.dumps({'python':"
                + " platform.python_version(), 'numpy': numpy.__version__, 'pyshmem': m.version('pyshmem')}))";
        try {
            Process process = new ProcessBuilder(python, "-c", script).redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0) {
                return new Gson().fromJson(out, JsonObject.class);
            }
        } catch (IOException | RuntimeException e) {
            // reported as unknown below
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return new JsonObject();
    }

    private static String text(JsonObject json, String key) {
        return json.has(key) ? json.get(key).getAsString() : "not available";
    }
}

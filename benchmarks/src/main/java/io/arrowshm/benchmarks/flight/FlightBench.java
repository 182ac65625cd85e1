package io.arrowshm.benchmarks.flight;

import io.arrowshm.DType;
import io.arrowshm.OpenOptions;
import io.arrowshm.Publication;
import io.arrowshm.SharedMemory;
import io.arrowshm.benchmarks.process.PythonScripts;
import io.arrowshm.flight.FlightSource;
import io.arrowshm.flight.MirrorOptions;
import io.arrowshm.flight.ServeOptions;
import io.arrowshm.flight.StreamFlightServer;
import io.arrowshm.flight.StreamMirror;
import io.arrowshm.tools.PythonLocator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Arrow Flight, side by side in one run: frames/s and MB/s of 64 KiB and 4 MiB frames from
 * arrow-shm's server to a pyarrow client, next to a pyarrow (C++) Flight server sending the same
 * bytes to the same client (medians of 3 rounds); then writer-to-mirrored-reader latency over
 * loopback (writer, server, mirror and reader in this JVM, p50/p99 of 1000 frames at 200/s).
 *
 * <pre>{@code
 * java --add-opens=java.base/java.nio=ALL-UNNAMED -cp benchmarks/target/arrow-shm-benchmarks.jar \
 *     io.arrowshm.benchmarks.flight.FlightBench
 * }</pre>
 */
public final class FlightBench {
    private static final int ROUNDS = 3;
    private static final String SECONDS = "2";

    private FlightBench() {
    }

    public static void main(String[] args) throws Exception {
        String python = PythonLocator.find().orElseThrow(() -> new IllegalStateException("no python3 with pyshmem"));
        Path dir = Files.createTempDirectory("arrowshm-flight-bench");
        PythonScripts scripts = PythonScripts.extractTo(dir);
        System.out.println("| frame | arrow-shm server → pyarrow | pyarrow C++ server → pyarrow | ratio |");
        System.out.println("|---|---:|---:|---:|");
        for (int size : new int[] {64 << 10, 4 << 20}) {
            throughput(python, scripts, size);
        }
        latency();
    }

    private static void throughput(String python, PythonScripts scripts, int size) throws Exception {
        String name = "arrowshm-flightbench-" + ProcessHandle.current().pid() + "-" + size;
        try (SharedMemory shm = SharedMemory.create(name, DType.UINT8, size);
             StreamFlightServer server = StreamFlightServer.start(ServeOptions.defaults().port(0))) {
            byte[] frame = new byte[size];
            Arrays.fill(frame, (byte) 3);
            shm.write(frame);
            // A writer far faster than any client: the server always has a newer publication to send.
            Thread writer = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    shm.write(frame);
                    try {
                        Thread.sleep(0, 200_000);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            writer.setDaemon(true);
            writer.start();
            double[][] ours = new double[ROUNDS][];
            double[][] theirs = new double[ROUNDS][];
            for (int r = 0; r < ROUNDS; r++) {
                ours[r] = run(python, scripts.path(PythonScripts.FLIGHT).toString(), "ours",
                        "grpc://127.0.0.1:" + server.port(), name, SECONDS);
                theirs[r] = run(python, scripts.path(PythonScripts.FLIGHT).toString(), "pyarrow",
                        Integer.toString(size), SECONDS);
            }
            writer.interrupt();
            writer.join();
            double oursFps = median(ours, 0);
            double oursMb = median(ours, 1);
            double theirFps = median(theirs, 0);
            double theirMb = median(theirs, 1);
            System.out.println(String.format(Locale.ROOT, "| %s | %.0f frames/s, %.0f MB/s | %.0f frames/s, %.0f MB/s | %.2f |",
                    size == 64 << 10 ? "64 KiB" : "4 MiB", oursFps, oursMb, theirFps, theirMb, oursMb / theirMb));
        } finally {
            SharedMemory.unlink(name);
        }
    }

    private static void latency() throws Exception {
        String source = "arrowshm-flightbench-lat-" + ProcessHandle.current().pid();
        String local = source + "-mirror";
        try (SharedMemory shm = SharedMemory.create(source, DType.UINT8, 64 << 10);
             StreamFlightServer server = StreamFlightServer.start(ServeOptions.defaults().port(0));
             StreamMirror mirror = StreamMirror.start(FlightSource.parse("grpc://127.0.0.1:" + server.port() + "/" + source),
                     local, MirrorOptions.defaults())) {
            byte[] frame = new byte[64 << 10];
            shm.write(frame, micros());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (mirror.stats().frames() < 1 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            List<Double> samples = new ArrayList<>();
            try (SharedMemory reader = SharedMemory.open(local, OpenOptions.readOnly())) {
                Thread writer = new Thread(() -> {
                    for (int i = 0; i < 1100 && !Thread.currentThread().isInterrupted(); i++) {
                        shm.write(frame, micros());
                        try {
                            Thread.sleep(5);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                });
                writer.start();
                while (samples.size() < 1000) {
                    try (Publication p = reader.readNewPublication(Duration.ofSeconds(5))) {
                        samples.add((micros() - p.frameId()) / 1.0);
                    }
                }
                writer.interrupt();
                writer.join();
            }
            samples.sort(Double::compare);
            List<Double> measured = samples.subList(100, samples.size()); // the first 100 warm the path up
            System.out.println(String.format(Locale.ROOT,
                    "%nwriter -> server -> mirror -> reader, 64 KiB at 200 frames/s over loopback: p50 %.0f us, p99 %.0f us"
                            + " (%d frames)", percentile(measured, 0.50), percentile(measured, 0.99), measured.size()));
        } finally {
            SharedMemory.unlink(source);
            SharedMemory.unlink(local);
        }
    }

    private static long micros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    private static double percentile(List<Double> sorted, double p) {
        List<Double> copy = new ArrayList<>(sorted);
        copy.sort(Double::compare);
        return copy.get(Math.min(copy.size() - 1, (int) Math.floor(p * copy.size())));
    }

    private static double[] run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (process.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
        }
        String[] parts = out.split(" ");
        return new double[] {Double.parseDouble(parts[0]), Double.parseDouble(parts[1])};
    }

    private static double median(double[][] rounds, int column) {
        double[] values = Arrays.stream(rounds).mapToDouble(r -> r[column]).sorted().toArray();
        return values[values.length / 2];
    }
}

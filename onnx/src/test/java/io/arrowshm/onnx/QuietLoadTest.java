package io.arrowshm.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

import io.arrowshm.DType;
import io.arrowshm.SharedMemory;
import io.arrowshm.testing.Names;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * ONNX Runtime's native library loads quietly with the JVM flags the README gives: on this JDK
 * (17 in the build) and on JDK 25 ({@code arrowshm.jdk25}; missing: skipped, or failed under
 * {@code CI=true}), a fresh JVM that loads it and runs a model between two streams prints
 * nothing on stderr. Without {@code --enable-native-access} JDK 25 warns about ONNX Runtime's
 * {@code System.load}, which shows the check would see a warning.
 */
class QuietLoadTest {
    private static final List<String> README_FLAGS_17 =
            List.of("--add-opens=java.base/java.nio=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED");
    private static final List<String> README_FLAGS_24 = List.of("--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow");

    @Test
    void loadsAndRunsQuietlyOnThisJdk() throws Exception {
        Run run = run(Path.of(System.getProperty("java.home")),
                Runtime.version().feature() >= 24 ? README_FLAGS_24 : README_FLAGS_17);
        run.quiet();
    }

    @Test
    void loadsAndRunsQuietlyOnJdk25() throws Exception {
        run(jdk25(), README_FLAGS_24).quiet();
    }

    @Test
    void withoutNativeAccessJdk25WarnsAboutOnnxRuntime() throws Exception {
        Run run = run(jdk25(), List.of("--add-opens=java.base/java.nio=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow"));
        assertEquals(0, run.status, run::toString);
        assertTrue(run.stderr.contains("System::load has been called by ai.onnxruntime.OnnxRuntime"), run::toString);
    }

    private static Path jdk25() {
        String configured = System.getProperty("arrowshm.jdk25", "");
        Path home = configured.isEmpty() ? null : Path.of(configured);
        if (home == null || !Files.isExecutable(home.resolve("bin/java"))) {
            String reason = "no JDK 25 at arrowshm.jdk25='" + configured + "' (pass -Darrowshm.jdk25=/path/to/jdk-25)";
            if ("true".equals(System.getenv("CI"))) {
                fail(reason);
            }
            abort(reason);
        }
        return home;
    }

    private static Run run(Path javaHome, List<String> flags) throws IOException, InterruptedException {
        String model = Models.model("double", DType.FLOAT32, 4, 8).toString();
        String stream = Names.unique("onnx-quiet");
        List<String> command = new ArrayList<>(List.of(javaHome.resolve("bin/java").toString()));
        command.addAll(flags);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), QuietPeer.class.getName(), model, stream));
        Path out = Files.createTempFile("onnx-quiet-out", ".txt");
        Path err = Files.createTempFile("onnx-quiet-err", ".txt");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
            builder.environment().remove("JDK_JAVA_OPTIONS");
            builder.environment().remove("JAVA_TOOL_OPTIONS");
            Process process = builder.start();
            process.getOutputStream().close();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail(String.join(" ", command) + " did not finish in 120 s");
            }
            return new Run(String.join(" ", command), process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
            SharedMemory.unlink(stream);
            SharedMemory.unlink(stream + "-out");
        }
    }

    private record Run(String command, int status, String stdout, String stderr) {
        void quiet() {
            assertEquals(0, status, this::toString);
            assertEquals("", stderr, () -> "stderr is not empty: " + this);
            assertEquals("ok 2.5 frame 3\n", stdout, this::toString);
        }

        @Override
        public String toString() {
            return command + "\n  status " + status + "\n  stdout: " + stdout + "\n  stderr: " + stderr;
        }
    }
}

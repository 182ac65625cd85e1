package io.arrowshm.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

import io.arrowshm.DType;
import io.arrowshm.SharedMemory;
import io.arrowshm.testing.Names;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
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
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().keySet().removeAll(List.of("JDK_JAVA_OPTIONS", "JAVA_TOOL_OPTIONS")); // exactly these flags
        Process child = builder.start();
        try {
            child.getOutputStream().close();
            CompletableFuture<String> stdout = drain(child.getInputStream());
            CompletableFuture<String> stderr = drain(child.getErrorStream());
            if (!child.waitFor(120, TimeUnit.SECONDS)) {
                fail(String.join(" ", command) + " did not finish in 120 s");
            }
            return new Run(String.join(" ", command), child.exitValue(), stdout.join(), stderr.join());
        } finally {
            child.destroyForcibly();
            SharedMemory.unlink(stream);
            SharedMemory.unlink(stream + "-out");
        }
    }

    private static CompletableFuture<String> drain(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
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

package io.arrowshm.release;

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
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The executable jars start quietly, as the README runs them: on this JDK (17 in the build) and on
 * JDK 25 ({@code arrowshm.jdk25}; missing: skipped, or failed under {@code CI=true}), nothing reaches
 * stderr but the program's own lines (none in these runs), and no child JVM prints a JDK warning into
 * the demo's output. JDK 22+ warns about JNA's native access and JDK 24+ about Arrow's
 * {@code sun.misc.Unsafe} unless the JVM is started as the README says.
 */
class QuietJarsTest {
    private static final Path ROOT = Path.of(System.getProperty("arrowshm.root", "..")).toAbsolutePath().normalize();
    private static final Path DEMO = Path.of(System.getProperty("arrowshm.demo.jar", "../examples/target/arrow-shm-demo.jar"));
    private static final Path CLI = Path.of(System.getProperty("arrowshm.cli.jar", "../cli/target/arrow-shm-cli.jar"));
    private static SharedMemory stream;

    @BeforeAll
    static void createStream() {
        stream = SharedMemory.create(Names.unique("quiet"), DType.FLOAT32, 4);
        stream.write(new float[] {1f, 2.5f, -3f, 7f});
    }

    @AfterAll
    static void removeStream() {
        stream.unlink();
        stream.close();
    }

    @TestFactory
    Stream<DynamicContainer> jarsRunWithoutWarnings() {
        List<DynamicContainer> perJdk = new ArrayList<>();
        perJdk.add(cases("this JDK (" + Runtime.version().feature() + ")", Path.of(System.getProperty("java.home"))));
        perJdk.add(cases("JDK 25", jdk25()));
        return perJdk.stream();
    }

    private DynamicContainer cases(String label, Path javaHome) {
        String java = javaHome == null ? null : javaHome.resolve("bin/java").toString();
        String name = stream.name();
        return DynamicContainer.dynamicContainer(label, Stream.of(
                DynamicTest.dynamicTest("java -jar arrow-shm-demo.jar", () -> {
                    Run run = run(Map.of(), java, "-jar", jar(DEMO), "--seconds", "1", "--fps", "20", "--shape", "8x8",
                            "--no-python");
                    run.quiet();
                    assertTrue(run.stdout.contains("demo finished: every process exited cleanly"), run::toString);
                }),
                DynamicTest.dynamicTest("bin/arrow-shm cat", () -> {
                    Run run = run(Map.of("JAVA_HOME", home(javaHome)), ROOT.resolve("bin/arrow-shm").toString(), "cat", name);
                    run.quiet();
                    assertTrue(run.stdout.contains("float32 (4,)"), run::toString);
                }),
                DynamicTest.dynamicTest("bin/arrow-shm demo", () -> {
                    Run run = run(Map.of("JAVA_HOME", home(javaHome)), ROOT.resolve("bin/arrow-shm").toString(), "demo",
                            "--seconds", "1", "--fps", "20", "--shape", "8x8", "--no-python");
                    run.quiet();
                    assertTrue(run.stdout.contains("demo finished: every process exited cleanly"), run::toString);
                }),
                DynamicTest.dynamicTest("java -jar arrow-shm-cli.jar cat (no launcher)", () -> {
                    Run run = run(Map.of(), java, "-jar", jar(CLI), "cat", name);
                    run.quiet();
                    assertTrue(run.stdout.contains("float32 (4,)"), run::toString);
                })));
    }

    private static String home(Path javaHome) {
        if (javaHome == null) {
            jdk25Missing();
        }
        return javaHome.toString();
    }

    private static Path jdk25() {
        String configured = System.getProperty("arrowshm.jdk25", "");
        Path home = configured.isEmpty() ? null : Path.of(configured);
        return home != null && Files.isExecutable(home.resolve("bin/java")) ? home : null;
    }

    private static void jdk25Missing() {
        String reason = "no JDK 25 at arrowshm.jdk25='" + System.getProperty("arrowshm.jdk25", "")
                + "' (pass -Darrowshm.jdk25=/path/to/jdk-25)";
        if ("true".equals(System.getenv("CI"))) {
            fail(reason);
        }
        abort(reason);
    }

    private static String jar(Path jar) {
        if (!Files.isRegularFile(jar)) {
            fail("no " + jar.toAbsolutePath() + ": these checks run after `package` (mvn -B verify)");
        }
        return jar.toAbsolutePath().toString();
    }

    private static Run run(Map<String, String> environment, String... command) throws IOException, InterruptedException {
        if (command[0] == null) {
            jdk25Missing();
        }
        Path out = Files.createTempFile("quiet-out", ".txt");
        Path err = Files.createTempFile("quiet-err", ".txt");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).directory(ROOT.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            builder.environment().putAll(environment);
            builder.environment().remove("JDK_JAVA_OPTIONS");
            builder.environment().remove("JAVA_TOOL_OPTIONS");
            Process process = builder.start();
            process.getOutputStream().close();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail(String.join(" ", command) + " did not finish in 120 s");
            }
            return new Run(String.join(" ", command), process.exitValue(),
                    Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private record Run(String command, int status, String stdout, String stderr) {
        /** Status 0, stderr empty, and no JDK warning that a child JVM printed into stdout. */
        void quiet() {
            assertEquals(0, status, this::toString);
            assertEquals("", stderr, () -> "stderr must stay empty: " + this);
            assertTrue(stdout.lines().noneMatch(line -> line.contains("WARNING")), () -> "a JDK warning in stdout: " + this);
        }

        @Override
        public String toString() {
            return command + "\nstatus " + status + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
        }
    }
}

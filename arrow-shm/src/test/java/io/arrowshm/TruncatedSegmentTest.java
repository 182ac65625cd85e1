package io.arrowshm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.arrowshm.testing.Names;
import io.arrowshm.testing.PeerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Defect 2: a segment truncated by another process (SIGBUS on access) ends every operation in
 * {@link SharedMemoryException}: never a raw {@link InternalError}, never a JVM abort. Each case
 * runs in a child JVM ({@link RegressionScenarios}), which truncates the segment with
 * {@code FileChannel.truncate(0)} and reports the outcome of three rounds of the operation
 * (interpreted, then compiled code).
 */
@Timeout(120)
class TruncatedSegmentTest {
    static final Path JDK_25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64");
    private final String name = Names.unique("truncated");

    @AfterEach
    void removeStream() {
        SharedMemory.unlink(name);
    }

    private List<String> outcomes(Path javaHome, String scenario, String op) {
        return outcomes(javaHome, List.of("-Xmx256m"), scenario, op);
    }

    private List<String> outcomes(Path javaHome, List<String> jvmOptions, String scenario, String op) {
        try (PeerProcess child = PeerProcess.java(javaHome, jvmOptions, RegressionScenarios.class,
                scenario, name, op)) {
            List<String> out = child.finish(Duration.ofSeconds(90));
            return out.stream().filter(line -> line.startsWith("outcome ")).toList();
        }
    }

    private void expectClearErrors(Path javaHome, String scenario, String op, int rounds) {
        List<String> outcomes = outcomes(javaHome, scenario, op);
        assertEquals(rounds, outcomes.size(), "the child reported " + outcomes);
        for (String outcome : outcomes) {
            assertEquals("outcome " + op + " SharedMemoryException", outcome.replaceFirst(" \\(then \\w+\\)$", ""),
                    "all outcomes: " + outcomes);
        }
    }

    @ParameterizedTest(name = "clear() on a truncated data segment, JDK {0}")
    @ValueSource(strings = {"17", "25"})
    void clearOnATruncatedDataSegmentThrowsOnJdk17And25(String jdk) {
        Path home = jdk.equals("25") ? JDK_25 : PeerProcess.currentJavaHome();
        assumeTrue(Files.isExecutable(home.resolve("bin/java")), "no JDK " + jdk + " at " + home);
        expectClearErrors(home, "truncated-data", "clear", 3);
    }

    @ParameterizedTest(name = "{0} on a truncated data segment")
    @ValueSource(strings = {"write-byte", "write-short", "write-int", "write-long", "write-float", "write-double",
        "write-boolean", "write-byte-buffer", "write-arrow-buf", "read-into", "read", "read-zero-copy",
        "write-view-publish"})
    void everyOperationOnATruncatedDataSegmentThrows(String op) {
        expectClearErrors(PeerProcess.currentJavaHome(), "truncated-data", op, 3);
    }

    @ParameterizedTest(name = "{0} on a truncated data segment, copies split across threads")
    @ValueSource(strings = {"write-byte", "write-float", "write-boolean", "write-byte-buffer", "write-arrow-buf",
        "read-into", "read", "clear"})
    void faultsInPartsOfASplitCopyReachTheCaller(String op) {
        // A fault in a pool thread's part must come back to the caller as the library's exception,
        // and never kill a pool thread or surface later in unrelated code.
        List<String> outcomes = outcomes(PeerProcess.currentJavaHome(),
                List.of("-Xmx256m", "-Darrowshm.copy.threads=3", "-Darrowshm.copy.parallelBytes=4096"),
                "truncated-data", op);
        assertEquals(3, outcomes.size(), "the child reported " + outcomes);
        for (String outcome : outcomes) {
            assertEquals("outcome " + op + " SharedMemoryException", outcome.replaceFirst(" \\(then \\w+\\)$", ""),
                    "all outcomes: " + outcomes);
        }
    }

    @ParameterizedTest(name = "{0} on a truncated data segment, JDK 25")
    @ValueSource(strings = {"write-byte", "write-short", "write-int", "write-long", "write-float", "write-double",
        "write-boolean", "write-byte-buffer", "write-arrow-buf", "read-into", "read", "read-zero-copy",
        "write-view-publish"})
    void operationsOnATruncatedDataSegmentThrowOnJdk25(String op) {
        assumeTrue(Files.isExecutable(JDK_25.resolve("bin/java")), "no JDK 25 at " + JDK_25);
        expectClearErrors(JDK_25, "truncated-data", op, 3);
    }

    @ParameterizedTest(name = "{0} with a truncated metadata segment")
    @ValueSource(strings = {"read-new", "write-view-publish", "write-view-close", "write-view-publish-warm",
        "write-view-close-warm", "count-warm", "frame-id-warm", "write-time-warm"})
    void operationsWithATruncatedMetadataSegmentThrow(String op) {
        expectClearErrors(PeerProcess.currentJavaHome(), "truncated-meta", op, 3);
    }

    @ParameterizedTest(name = "{0} with a truncated metadata segment, JDK 25")
    @ValueSource(strings = {"count-warm", "frame-id-warm", "write-time-warm", "write-view-publish-warm"})
    void countersWithATruncatedMetadataSegmentThrowOnJdk25(String op) {
        assumeTrue(Files.isExecutable(JDK_25.resolve("bin/java")), "no JDK 25 at " + JDK_25);
        expectClearErrors(JDK_25, "truncated-meta", op, 3);
    }
}

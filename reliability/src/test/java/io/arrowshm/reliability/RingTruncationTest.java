package io.arrowshm.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.arrowshm.Ring;
import io.arrowshm.testing.Names;
import io.arrowshm.testing.PeerProcess;
import io.arrowshm.testing.RingPeer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A ring file truncated by another process under a running writer and reader (SIGBUS on the
 * lost pages), in compiled code, on JDK 17 and 25: every operation ends in
 * {@code SharedMemoryException}, never a raw {@code InternalError} and never a JVM abort, whether
 * the data alone or the whole file went.
 */
class RingTruncationTest {
    private static final Path JDK_25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64");
    private final String name = Names.unique("ring-truncated");

    @AfterEach
    void removeRing() {
        Ring.unlink(name);
    }

    @ParameterizedTest(name = "{0} on a ring cut to {1} bytes, JDK {2}")
    @CsvSource({
        "write, 65536, 17", "take, 65536, 17", "read-into, 65536, 17", "batch, 65536, 17",
        "write, 0, 17", "take, 0, 17", "read-into, 0, 17", "position, 0, 17",
        "write, 65536, 25", "take, 65536, 25", "write, 0, 25", "take, 0, 25"})
    void everyOperationFailsWithTheLibrarysException(String op, long length, String jdk) {
        Path home = jdk.equals("25") ? JDK_25 : PeerProcess.currentJavaHome();
        assumeTrue(Files.isExecutable(home.resolve("bin/java")), "no JDK " + jdk + " at " + home);
        try (PeerProcess child = PeerProcess.java(home, List.of("-Xmx256m"), RingPeer.class, "truncated", name, op,
                Long.toString(length))) {
            List<String> outcomes = child.finish(Duration.ofSeconds(120)).stream()
                    .filter(line -> line.startsWith("outcome ")).toList();
            assertEquals(List.of("outcome " + op + " SharedMemoryException", "outcome " + op + " SharedMemoryException",
                    "outcome " + op + " SharedMemoryException"), outcomes);
        }
    }
}

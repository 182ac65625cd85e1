package io.arrowshm;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.testing.Names;
import io.arrowshm.testing.PeerProcess;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Defect 1 ("Trust and lifetime rules"): every object handed out holds its own reference, so
 * closing it (even twice) never unmaps what the handle still uses. A defective library unmaps
 * and the next access is a SIGSEGV, so each scenario runs in a child JVM
 * ({@link RegressionScenarios}) and a crash shows as a failed exit status.
 */
@Timeout(120)
class HandedOutReferencesTest {
    private final String name = Names.unique("refs");

    @AfterEach
    void removeStream() {
        SharedMemory.unlink(name);
    }

    static List<String> scenario(String scenario, String name) {
        try (PeerProcess child = PeerProcess.java(PeerProcess.currentJavaHome(), List.of("-Xmx256m"),
                RegressionScenarios.class, scenario, name)) {
            List<String> out = child.finish(Duration.ofSeconds(90));
            assertTrue(out.contains("OK"), scenario + " did not complete its checks: " + out);
            return out;
        }
    }

    @Test
    void closingTheReadZeroCopyViewLeavesTheHandleWorking() {
        scenario("ref-zero-copy-close", name);
    }

    @Test
    void closingTheReadZeroCopyViewTwiceLeavesTheHandleWorking() {
        scenario("ref-zero-copy-close-twice", name);
    }

    @Test
    void closingABufferViewTwiceLeavesTheHandleWorking() {
        scenario("ref-buffer-close-twice", name);
    }

    @Test
    void closingAWriteViewBufferStillPublishesAndLeavesTheHandleWorking() {
        scenario("ref-write-view-buffer-close", name);
    }

    @Test
    void aBufferViewKeepsTheMappingAfterTheHandleCloses() {
        scenario("ref-buffer-outlives-handle", name);
    }
}

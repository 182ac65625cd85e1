package io.arrowshm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.testing.Names;
import io.arrowshm.testing.PeerProcess;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Defect 10: value semantics of StreamInfo and StreamConfig, and one lock scope per acquisition. */
@Timeout(60)
class ValueSemanticsTest {
    private final String name = Names.unique("values");

    @AfterEach
    void removeStream() throws Exception {
        RegressionSupport.removeStream(name);
    }

    @Test
    void statOfAnUnchangedStreamEqualsItself() {
        try (SharedMemory shm = SharedMemory.create(name, DType.FLOAT32, 3, 4)) {
            shm.write(new float[12]);
            StreamInfo first = SharedMemory.stat(name);
            StreamInfo second = SharedMemory.stat(name);
            assertEquals(first, second);
            assertEquals(first.hashCode(), second.hashCode());
        }
    }

    @Test
    void toConfigEqualsItself() {
        try (SharedMemory shm = SharedMemory.create(name, CreateOptions.of(DType.INT16, 2, 5).notify(true))) {
            assertEquals(shm.toConfig(), shm.toConfig());
            assertEquals(shm.toConfig().hashCode(), shm.toConfig().hashCode());
        }
    }

    @Test
    void lockedReturnsANewScopePerAcquisition() {
        try (SharedMemory shm = SharedMemory.create(name, DType.UINT8, 64)) {
            try (SharedMemory.LockScope outer = shm.locked(); SharedMemory.LockScope inner = shm.locked()) {
                assertNotSame(outer, inner, "locked() must return a new scope per acquisition");
            }
        }
    }

    @Test
    void closingALockScopeTwiceReleasesOneLevel() {
        try (SharedMemory shm = SharedMemory.create(name, DType.UINT8, 64)) {
            SharedMemory.LockScope outer = shm.locked();
            SharedMemory.LockScope inner = shm.locked();
            inner.close();
            inner.close(); // harmless: this scope's level is already released
            assertEquals("timeout", firstWord(pyshmemTryLock("0.3")),
                    "the outer scope still holds the lock, yet pyshmem took it");
            outer.close();
            assertEquals("acquired", pyshmemTryLock("2"), "closing the outer scope did not free the lock");
            outer.close(); // harmless too
            assertEquals("acquired", pyshmemTryLock("2"));
        }
    }

    private static String firstWord(String line) {
        return line.split(" ")[0];
    }

    private String pyshmemTryLock(String seconds) {
        try (PeerProcess python = PeerProcess.python("peer.py", "try-lock", name, seconds)) {
            String line = python.nextLine(Duration.ofSeconds(30));
            assertTrue(line.equals("acquired") || line.startsWith("timeout"), line);
            return line;
        }
    }
}

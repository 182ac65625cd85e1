package io.arrowshm.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.DType;
import io.arrowshm.SharedMemory;
import io.arrowshm.StreamTimeoutException;
import io.arrowshm.testing.Names;
import io.arrowshm.testing.Patterns;
import io.arrowshm.testing.PeerProcess;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Java against the real pyshmem 1.4.0, both directions: the smoke tests of the core issue. */
class PyshmemSmokeTest {
    private static final Duration PEER_TIMEOUT = Duration.ofSeconds(60);
    private final String name = Names.unique("py");

    @AfterEach
    void removeStream() {
        SharedMemory.unlink(name);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void pyshmemReadsAJavaStreamBitForBit(DType dtype) {
        try (SharedMemory shm = SharedMemory.create(name, dtype, 4, 3, 5)) {
            byte[] bytes = Patterns.bytes(dtype, shm.size(), 21);
            shm.write(bytes);
            try (PeerProcess python = PeerProcess.python("peer.py", "read", name)) {
                assertEquals(List.of(Patterns.sha256(bytes), dtype.numpyName() + " [4, 3, 5]"),
                        python.finish(PEER_TIMEOUT));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void javaReadsAPyshmemStreamBitForBit(DType dtype) {
        try (PeerProcess python = PeerProcess.python("peer.py", "create-write", name, dtype.numpyName(), "22", "6", "7")) {
            python.finish(PEER_TIMEOUT);
        }
        try (SharedMemory shm = SharedMemory.open(name)) {
            assertEquals(dtype, shm.dtype());
            assertArrayEquals(new long[] {6, 7}, shm.shape());
            assertEquals(1, shm.count());
            byte[] bytes = new byte[(int) shm.size()];
            shm.readInto(bytes);
            assertArrayEquals(Patterns.bytes(dtype, shm.size(), 22), bytes);
        }
    }

    @Test
    void pyshmemStatReportsWhatJavaWrote() {
        try (SharedMemory shm = SharedMemory.create(name, DType.FLOAT32, 128, 128)) {
            shm.write(new float[128 * 128]);
            shm.write(new float[128 * 128]);
            try (PeerProcess python = PeerProcess.python("peer.py", "stat", name)) {
                String json = python.finish(PEER_TIMEOUT).get(0);
                assertTrue(json.contains("\"dtype\": \"float32\""), json);
                assertTrue(json.contains("\"shape\": [128, 128]"), json);
                assertTrue(json.contains("\"count\": 2"), json);
                assertTrue(json.contains("\"write_sequence\": 4"), json);
                assertTrue(json.contains("\"creator_pid\": " + ProcessHandle.current().pid()), json);
                assertTrue(json.contains("\"creator_alive\": true"), json);
                assertTrue(json.contains("\"instance_id\": \"" + shm.instanceId().orElseThrow() + "\""), json);
                assertTrue(json.contains("\"notify\": false"), json);
            }
        }
    }

    @Test
    void aPyshmemLockExcludesAJavaWriter() {
        try (SharedMemory shm = SharedMemory.create(name, DType.UINT8, 8);
             PeerProcess python = PeerProcess.python("peer.py", "hold-lock", name, "1.5")) {
            python.await("locked", PEER_TIMEOUT);
            assertThrows(StreamTimeoutException.class, () -> shm.acquire(Duration.ofMillis(200)));
            python.await("released", PEER_TIMEOUT);
            shm.acquire(Duration.ofSeconds(10));
            shm.release();
        }
    }

    @Test
    void aJavaLockExcludesAPyshmemWriter() {
        try (SharedMemory shm = SharedMemory.create(name, DType.UINT8, 8)) {
            try (var held = shm.locked();
                 PeerProcess python = PeerProcess.python("peer.py", "try-lock", name, "0.3")) {
                String answer = python.nextLine(PEER_TIMEOUT);
                assertTrue(answer.startsWith("timeout"), answer);
            }
            try (PeerProcess python = PeerProcess.python("peer.py", "try-lock", name, "5")) {
                assertEquals(List.of("acquired"), python.finish(PEER_TIMEOUT));
            }
        }
    }
}

package io.arrowshm.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.arrowshm.CreateOptions;
import io.arrowshm.DType;
import io.arrowshm.MultiLock;
import io.arrowshm.OpenOptions;
import io.arrowshm.Publication;
import io.arrowshm.SharedMemory;
import io.arrowshm.StreamNotFoundException;
import io.arrowshm.WaitStrategy;
import io.arrowshm.WriteView;
import io.arrowshm.testing.Names;
import io.arrowshm.testing.Patterns;
import io.arrowshm.testing.PeerProcess;
import io.arrowshm.testing.PrivateShm;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The parity features against the real pyshmem 1.4.0, both directions. */
class PyshmemParityTest {
    private static final Duration PEER_TIMEOUT = Duration.ofSeconds(60);
    private final String name = Names.unique("pyparity");
    private final String other = Names.unique("pyparity-b");

    @AfterEach
    void removeStreams() {
        SharedMemory.unlink(name);
        SharedMemory.unlink(other);
    }

    @Test
    void frameIdsAndPublicationsBothWays() {
        try (SharedMemory shm = SharedMemory.create(name, DType.FLOAT32, 8)) {
            shm.write(Patterns.bytes(DType.FLOAT32, 32, 1), -2L);
            try (PeerProcess python = PeerProcess.python("peer.py", "read-publication", name)) {
                assertEquals(List.of("1 18446744073709551614 " + Patterns.sha256(Patterns.bytes(DType.FLOAT32, 32, 1))),
                        python.finish(PEER_TIMEOUT));
            }
            try (PeerProcess python = PeerProcess.python("peer.py", "write-frame", name, "2", "12345678901")) {
                python.finish(PEER_TIMEOUT);
            }
            try (Publication p = shm.readPublication()) {
                assertEquals(2, p.count());
                assertEquals(12345678901L, p.frameId());
                byte[] bytes = new byte[32];
                p.payload().getBytes(0, bytes);
                assertArrayEquals(Patterns.bytes(DType.FLOAT32, 32, 2), bytes);
            }
        }
    }

    @Test
    void aJavaWriterWakesAParkedPyshmemReader() throws Exception {
        try (SharedMemory shm = SharedMemory.create(name, CreateOptions.of(DType.FLOAT32, 16).notify(true));
             PeerProcess python = PeerProcess.python("peer.py", "wait-latency", name, "15")) {
            assertEquals("ready True", python.nextLine(PEER_TIMEOUT), "pyshmem sees the notify flag");
            List<Double> latencies = new ArrayList<>();
            for (int i = 0; i < 15; i++) {
                Thread.sleep(30 + 7 * (i % 5));
                shm.write(new float[16]);
                latencies.add(Double.parseDouble(python.nextLine(PEER_TIMEOUT).substring(4)));
            }
            python.await("done", PEER_TIMEOUT);
            Collections.sort(latencies);
            assertTrue(latencies.get(latencies.size() / 2) < 10_000, "wake latencies (us): " + latencies);
        }
    }

    @Test
    void aPyshmemWriterWakesAParkedJavaReader() {
        WaitStrategy parkAtOnce = WaitStrategy.of(0, 0, Duration.ofMillis(1));
        try (SharedMemory shm = SharedMemory.create(name, CreateOptions.of(DType.FLOAT32, 16).notify(true));
             SharedMemory reader = SharedMemory.open(name, OpenOptions.readOnly().waitStrategy(parkAtOnce));
             PeerProcess python = PeerProcess.python("peer.py", "write-timed", name, "15", "0.04")) {
            List<Double> latencies = new ArrayList<>();
            for (int i = 0; i < 15; i++) {
                try (Publication p = reader.readNewPublication(Duration.ofSeconds(20))) {
                    Instant now = Instant.now();
                    latencies.add((now.getEpochSecond() + now.getNano() * 1e-9 - p.writeTime()) * 1e6);
                }
            }
            python.await("done", PEER_TIMEOUT);
            Collections.sort(latencies);
            assertTrue(latencies.get(latencies.size() / 2) < 10_000, "wake latencies (us): " + latencies);
        }
    }

    @Test
    void anAbortedJavaWriteViewIsInconsistentForPyshmemUntilTheNextWrite() {
        try (SharedMemory shm = SharedMemory.create(name, DType.UINT8, 64)) {
            shm.write(new byte[64]);
            try (WriteView view = shm.writeView()) {
                view.buffer().setOne(0, 32);
            }
            try (PeerProcess python = PeerProcess.python("peer.py", "read-error", name)) {
                assertEquals(List.of("InconsistentStreamError"), python.finish(PEER_TIMEOUT));
            }
            try (PeerProcess python = PeerProcess.python("peer.py", "write", name, "4")) {
                python.finish(PEER_TIMEOUT);
            }
            byte[] bytes = new byte[64];
            shm.readInto(bytes);
            assertArrayEquals(Patterns.bytes(DType.UINT8, 64, 4), bytes, "pyshmem's write repaired it");
        }
    }

    @Test
    void discoveryAgreesBothWays() {
        try (SharedMemory java = SharedMemory.create(name, DType.UINT8, 4);
             PeerProcess python = PeerProcess.python("peer.py", "create-write", other, "int16", "1", "2")) {
            python.finish(PEER_TIMEOUT);
            assertTrue(SharedMemory.listStreams().containsAll(List.of(name, other)));
            assertEquals(DType.INT16, SharedMemory.stat(other).dtype());
            try (PeerProcess list = PeerProcess.python("peer.py", "list", "-")) {
                String names = list.finish(PEER_TIMEOUT).get(0);
                assertTrue(names.contains("\"" + name + "\"") && names.contains("\"" + other + "\""), names);
            }
            try (PeerProcess unlink = PeerProcess.python("peer.py", "unlink", name)) {
                unlink.finish(PEER_TIMEOUT);
            }
            assertThrows(StreamNotFoundException.class, () -> SharedMemory.open(name));
        }
    }

    /** Java's purge removes a pyshmem stream, in a private /dev/shm (see ParityTest). */
    @Test
    void javaPurgeRemovesAPyshmemStream() throws Exception {
        assumeTrue(PrivateShm.available(), "needs `unshare -rm` (user and mount namespaces) for a private /dev/shm");
        List<String> lines = PrivateShm.run(List.of(
                PrivateShm.python("peer.py", "create-write", "from-python", "int16", "1", "2"),
                PrivateShm.javaPeer("purge", "-"),
                PrivateShm.python("peer.py", "list", "-")));
        assertEquals(List.of("written", "purged from-python", "[]"), lines);
    }

    @Test
    void javaLockedManyAndPyshmemLockedManyInOppositeOrdersNeverDeadlock() {
        try (SharedMemory a = SharedMemory.create(name, DType.UINT8, 64);
             SharedMemory b = SharedMemory.create(other, DType.UINT8, 64);
             PeerProcess python = PeerProcess.python("peer.py", "locked-many", other, name, "200")) {
            python.await("ready", PEER_TIMEOUT);
            for (int i = 0; i < 200; i++) {
                try (MultiLock held = SharedMemory.lockedMany(List.of(a, b), Duration.ofSeconds(20))) {
                    a.writeLocked(new byte[64]);
                    b.writeLocked(new byte[64]);
                }
            }
            python.await("done", PEER_TIMEOUT);
            assertEquals(800, a.count() + b.count());
        }
    }
}

package io.arrowshm.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.arrowshm.DType;
import io.arrowshm.Ring;
import io.arrowshm.RingOptions;
import io.arrowshm.RingReader;
import io.arrowshm.RingWriter;
import io.arrowshm.SharedMemory;
import io.arrowshm.StreamNotFoundException;
import io.arrowshm.testing.Names;
import io.arrowshm.testing.PeerProcess;
import io.arrowshm.testing.PrivateShm;
import io.arrowshm.testing.RingPeer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The real pyshmem 1.4.0 next to rings, both directions: pyshmem never lists, opens, stats or
 * purges a ring (its files are not {@code ps_*}), and arrow-shm's ring discovery never touches a
 * pyshmem stream. Purges run in a private /dev/shm, since on the real one they would remove every
 * stream of the host.
 */
class PyshmemNextToRingsTest {
    private static final Duration PEER_TIMEOUT = Duration.ofSeconds(60);
    private final String name = Names.unique("py-ring");

    @AfterEach
    void remove() {
        Ring.unlink(name);
        SharedMemory.unlink(name);
    }

    @Test
    void pyshmemNeitherListsNorOpensNorStatsARing() {
        try (Ring ring = Ring.create(name, RingOptions.of(DType.FLOAT32, 4).capacity(4));
             RingWriter writer = ring.writer();
             RingReader reader = ring.reader("r")) {
            writer.write(new float[] {1, 2, 3, 4});
            try (PeerProcess python = PeerProcess.python("peer.py", "next-to-ring", name)) {
                assertEquals(List.of("not listed", "stat FileNotFoundError", "open FileNotFoundError"),
                        python.finish(PEER_TIMEOUT));
            }
            float[] frame = new float[4];
            assertEquals(0, reader.readInto(frame, Duration.ofSeconds(1)), "the ring is untouched");
            assertEquals(4f, frame[3]);
        }
    }

    @Test
    void pyshmemsPurgeLeavesARingAlone() throws Exception {
        assumeTrue(PrivateShm.available(), "needs `unshare -rm` (user and mount namespaces) for a private /dev/shm");
        List<String> lines = PrivateShm.run(List.of(
                PrivateShm.java(RingPeer.class, "create", "a-ring", "uint8", "4", "BLOCK", "16"),
                PrivateShm.python("peer.py", "create-write", "a-stream", "int16", "1", "2"),
                PrivateShm.python("peer.py", "purge", "-"),
                PrivateShm.java(RingPeer.class, "probe", "a-ring"),
                PrivateShm.python("peer.py", "list", "-")));
        assertEquals(List.of("created", "written", "[\"a-stream\"]", "ring 0", "[]"), lines);
    }

    @Test
    void ringDiscoveryNeverTouchesAPyshmemStream() throws Exception {
        try (PeerProcess python = PeerProcess.python("peer.py", "create-write", name, "float32", "3", "4")) {
            assertEquals(List.of("written"), python.finish(PEER_TIMEOUT));
        }
        assertFalse(Ring.list().contains(name));
        StreamNotFoundException e = assertThrows(StreamNotFoundException.class, () -> Ring.open(name));
        assertTrue(e.getMessage().contains("is a stream"), e.getMessage());
        assertThrows(StreamNotFoundException.class, () -> Ring.stat(name));
        assertFalse(Ring.unlink(name), "nothing of a stream goes");
        assumeTrue(PrivateShm.available(), "needs `unshare -rm` for the purge half");
        List<String> lines = PrivateShm.run(List.of(
                PrivateShm.python("peer.py", "create-write", "a-stream", "int16", "1", "2"),
                PrivateShm.java(RingPeer.class, "purge", "-"),
                PrivateShm.python("peer.py", "list", "-")));
        assertEquals(List.of("written", "purged []", "rings []", "[\"a-stream\"]"), lines);
    }
}

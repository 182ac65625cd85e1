package io.arrowshm.nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.DType;
import io.arrowshm.SharedMemory;
import io.arrowshm.StreamNotFoundException;
import io.arrowshm.testing.Names;
import io.arrowshm.testing.PeerProcess;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The lifetime rule: a view keeps the payload mapped while it (or an array derived from it)
 * is reachable, whatever happens to the handle; the mapping goes once no view is left.
 * "Mapped" is what the kernel says in /proc/self/maps.
 */
class ViewLifetimeTest {
    private static final Duration PEER_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration GC_PATIENCE = Duration.ofSeconds(30);
    private final String name = Names.unique("nd4j-life");

    @AfterEach
    void removeStream() {
        SharedMemory.unlink(name);
    }

    @Test
    void aViewKeepsWorkingAndSharingAfterItsHandleCloses() {
        INDArray view;
        try (SharedMemory shm = SharedMemory.create(name, DType.FLOAT32, 8, 8)) {
            Nd4jStreams.write(shm, Nd4j.ones(DataType.FLOAT, 8, 8));
            view = Nd4jStreams.view(shm);
        }
        collectGarbage(3);
        assertTrue(ProcMaps.mapsPayloadOf(name), "the view should keep the payload mapped");

        view.addi(1);
        assertEquals(2.0 * 2 * 8, view.mmul(view).getDouble(3, 4));
        List<String> seenByPython = python("values", name);
        ElementTokens.assertMatches(ElementTokens.split(seenByPython.get(1)), Nd4j.valueArrayOf(new long[] {8, 8}, 2f));

        List<String> writtenByPython = python("write", name, "6");
        ElementTokens.assertMatches(ElementTokens.split(writtenByPython.get(0)), view);

        SharedMemory.unlink(name); // the name goes; the memory stays while mapped
        view.assign(3);
        assertEquals(3.0 * 64, view.sumNumber().doubleValue());
    }

    @Test
    void droppingTheLastViewUnmapsThePayload() {
        INDArray view;
        try (SharedMemory shm = SharedMemory.create(name, DType.FLOAT64, 128, 128)) {
            view = Nd4jStreams.view(shm);
        }
        assertTrue(ProcMaps.mapsPayloadOf(name));
        view.addi(1);

        view = null;
        assertTrue(awaitUnmapped(), "payload still mapped " + GC_PATIENCE + " after its last view was dropped");
    }

    @Test
    void anArrayDerivedFromAViewKeepsTheMappingAfterTheViewIsDropped() {
        INDArray view;
        try (SharedMemory shm = SharedMemory.create(name, DType.FLOAT32, 4, 4)) {
            view = Nd4jStreams.view(shm);
        }
        INDArray topRows = view.get(NDArrayIndex.interval(0, 2), NDArrayIndex.all());
        view = null;
        collectGarbage(5);
        assertTrue(ProcMaps.mapsPayloadOf(name), "a derived view should keep the payload mapped");

        topRows.assign(7);
        INDArray expected = Nd4j.zeros(DataType.FLOAT, 4, 4);
        expected.get(NDArrayIndex.interval(0, 2), NDArrayIndex.all()).assign(7);
        ElementTokens.assertMatches(ElementTokens.split(python("values", name).get(1)), expected);

        topRows = null;
        assertTrue(awaitUnmapped(), "payload still mapped after the derived view was dropped too");
    }

    @Test
    void aChildJvmComputesOnAViewAfterClosingAndUnlinkingItsStream() {
        try (SharedMemory shm = SharedMemory.create(name, DType.FLOAT32, 16, 16)) {
            Nd4jStreams.write(shm, Nd4j.ones(DataType.FLOAT, 16, 16));
        }
        try (PeerProcess child = PeerProcess.java(Nd4jPeer.class, "close-then-use", name)) {
            List<String> out = child.finish(PEER_TIMEOUT);
            // every element went 1 -> 201; the last mmul sums 16 * 16 * 16 * 201^2
            assertEquals(List.of("ok 201.0 " + 16.0 * 16 * 16 * 201 * 201), out);
        }
        assertThrows(StreamNotFoundException.class, () -> SharedMemory.open(name), "the child unlinked the stream");
    }

    @Test
    void aSegmentTruncatedByAnotherProcessIsRefusedBeforeNd4jTouchesIt() {
        // libnd4j takes SIGBUS on unbacked pages and aborts the JVM, so the child JVM is the
        // test subject: it must survive and report the library's exception for each call.
        try (SharedMemory shm = SharedMemory.create(name, DType.FLOAT32, 64, 64)) {
            Nd4jStreams.write(shm, Nd4j.ones(DataType.FLOAT, 64, 64));
        }
        try (PeerProcess child = PeerProcess.java(Nd4jPeer.class, "truncated-view", name)) {
            assertEquals(List.of("SharedMemoryException", "SharedMemoryException", "SharedMemoryException", "alive"),
                    child.finish(PEER_TIMEOUT));
        }
    }

    private boolean awaitUnmapped() {
        long deadline = System.nanoTime() + GC_PATIENCE.toNanos();
        while (ProcMaps.mapsPayloadOf(name)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            collectGarbage(1);
        }
        return true;
    }

    private static void collectGarbage(int rounds) {
        for (int i = 0; i < rounds; i++) {
            System.gc();
            try {
                Thread.sleep(50); // the cleaner thread runs the release
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static List<String> python(String... args) {
        try (PeerProcess peer = PeerProcess.python("nd4j_peer.py", args)) {
            return peer.finish(PEER_TIMEOUT);
        }
    }
}

package io.arrowshm.nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.DType;
import io.arrowshm.SharedMemory;
import io.arrowshm.testing.Names;
import io.arrowshm.testing.PeerProcess;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Reads while another JVM publishes a frame every half millisecond, about as long as one
 * ND4J reduction takes, so reads and writes overlap often. Every frame the writer publishes
 * is uniform (all elements equal): a frame with two different values is a torn read.
 */
class ConsistentReadTest {
    private static final Duration PEER_TIMEOUT = Duration.ofSeconds(60);
    private static final int READS = 100;
    private final String name = Names.unique("nd4j-seq");

    @AfterEach
    void removeStream() {
        SharedMemory.unlink(name);
    }

    @Test
    void zeroCopyReadsAndSnapshotsNeverSeeATornFrame() {
        try (SharedMemory shm = SharedMemory.create(name, DType.FLOAT32, 128, 128);
             PeerProcess writer = PeerProcess.java(Nd4jPeer.class, "uniform-frames", name, "500")) {
            writer.await("writing", PEER_TIMEOUT);
            INDArray held = Nd4jStreams.view(shm);
            long first = shm.count();
            for (int i = 0; i < READS; i++) {
                double[] range = Nd4jStreams.readZeroCopy(shm,
                        frame -> new double[] {frame.minNumber().doubleValue(), frame.maxNumber().doubleValue()});
                assertEquals(range[0], range[1], "torn zero-copy read: min and max of one frame differ");

                double[] heldRange = Nd4jStreams.readZeroCopy(shm, held,
                        frame -> new double[] {frame.minNumber().doubleValue(), frame.maxNumber().doubleValue()});
                assertEquals(heldRange[0], heldRange[1], "torn zero-copy read through a held view");

                INDArray snapshot = Nd4jStreams.read(shm);
                assertEquals(snapshot.minNumber().doubleValue(), snapshot.maxNumber().doubleValue(), "torn snapshot");
            }
            assertTrue(shm.count() > first, "the writer should have published while we read");
        }
    }
}

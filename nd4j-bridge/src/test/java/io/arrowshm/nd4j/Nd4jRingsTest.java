package io.arrowshm.nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.DType;
import io.arrowshm.Ring;
import io.arrowshm.RingBatch;
import io.arrowshm.RingLease;
import io.arrowshm.RingOptions;
import io.arrowshm.RingReader;
import io.arrowshm.RingWriter;
import io.arrowshm.testing.Names;
import io.arrowshm.testing.Patterns;
import io.arrowshm.testing.PeerProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Ring slots as INDArrays: the array is the slot (its address is the lease's), a batch is one
 * array with a leading axis over consecutive slots, the array keeps the mapping after the lease,
 * reader and ring are closed and gives it back once dropped, and a ring file truncated by another
 * process is refused before libnd4j touches it.
 */
class Nd4jRingsTest {
    private static final Duration SECOND = Duration.ofSeconds(1);
    private final String name = Names.unique("nd4j-ring");

    @AfterEach
    void removeRing() {
        Ring.unlink(name);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"COMPLEX64", "COMPLEX128"}, mode = EnumSource.Mode.EXCLUDE)
    void aLeasedSlotIsAnArrayOverTheSlotItself(DType dtype) {
        try (Ring ring = Ring.create(name, RingOptions.of(dtype, 3, 5).capacity(4));
             RingWriter writer = ring.writer();
             RingReader reader = ring.reader("nd4j")) {
            byte[] frame = Patterns.bytes(dtype, ring.size(), 11);
            writer.write(frame);
            try (RingLease lease = reader.lease(SECOND)) {
                INDArray view = Nd4jRings.view(ring, lease);
                assertEquals(lease.buffer().memoryAddress(), view.data().addressPointer().address());
                assertArrayEquals(new long[] {3, 5}, view.shape());
                assertEquals(Nd4jTypes.dataType(dtype), view.dataType());
                assertArrayEquals(frame, Nd4jStreamsTest.bytesOf(view));
            }
        }
    }

    @Test
    void aBatchIsOneArrayWithALeadingAxisAndRowsAreItsSlots() {
        try (Ring ring = Ring.create(name, RingOptions.of(DType.FLOAT32, 2, 4).capacity(8));
             RingWriter writer = ring.writer();
             RingReader reader = ring.reader("nd4j")) {
            for (int p = 0; p < 5; p++) {
                writer.write(filled(8, p));
            }
            try (RingBatch batch = reader.leaseBatch(8, SECOND)) {
                assertEquals(5, batch.count());
                INDArray all = Nd4jRings.view(ring, batch);
                assertArrayEquals(new long[] {5, 2, 4}, all.shape());
                assertEquals(batch.buffer().memoryAddress(), all.data().addressPointer().address());
                for (int p = 0; p < 5; p++) {
                    assertEquals(8.0 * p, all.slice(p).sumNumber().doubleValue(), "frame " + p);
                }
                INDArray rows = Nd4jRings.view(ring, batch, 2, 3);
                assertArrayEquals(new long[] {3, 2, 4}, rows.shape());
                assertEquals(batch.buffer().memoryAddress() + 2 * ring.size(), rows.data().addressPointer().address());
                assertEquals(8.0 * (2 + 3 + 4), rows.sumNumber().doubleValue());
                assertThrows(IndexOutOfBoundsException.class, () -> Nd4jRings.view(ring, batch, 3, 3));
                assertThrows(IndexOutOfBoundsException.class, () -> Nd4jRings.view(ring, batch, -1, 1));
                assertThrows(IndexOutOfBoundsException.class, () -> Nd4jRings.view(ring, batch, 0, 0));
            }
            assertEquals(5, reader.position(), "closing the batch moves the cursor past it");
        }
    }

    @Test
    void aLeaseOfAnotherRingOrAClosedLeaseIsRefused() {
        String other = Names.unique("nd4j-ring-other");
        try (Ring ring = Ring.create(name, RingOptions.of(DType.FLOAT32, 4).capacity(4));
             Ring wider = Ring.create(other, RingOptions.of(DType.FLOAT32, 8).capacity(4));
             RingWriter writer = ring.writer();
             RingReader reader = ring.reader("nd4j")) {
            writer.write(new float[4]);
            RingLease lease = reader.lease(SECOND);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Nd4jRings.view(wider, lease));
            assertTrue(e.getMessage().contains("pass the ring it was leased from"), e.getMessage());
            lease.close();
            assertThrows(IllegalStateException.class, () -> Nd4jRings.view(ring, lease));
            UnsupportedOperationException complex = assertThrows(UnsupportedOperationException.class, () -> {
                try (Ring c = Ring.create(name + "-c", RingOptions.of(DType.COMPLEX64, 2))) {
                    Nd4jRings.view(c, lease);
                } finally {
                    Ring.unlink(name + "-c");
                }
            });
            assertTrue(complex.getMessage().contains("ND4J has no type for"), complex.getMessage());
        } finally {
            Ring.unlink(other);
        }
    }

    @Test
    void theArrayKeepsTheMappingAfterLeaseReaderAndRingCloseAndGivesItBackWhenDropped() throws Exception {
        INDArray view;
        try (Ring ring = Ring.create(name, RingOptions.of(DType.FLOAT64, 64, 64).capacity(2));
             RingWriter writer = ring.writer();
             RingReader reader = ring.reader("nd4j")) {
            writer.write(filled(64 * 64, 1.0));
            try (RingLease lease = reader.lease(SECOND)) {
                view = Nd4jRings.view(ring, lease);
            }
        }
        Ring.unlink(name);
        collectGarbage(3);
        assertTrue(mapsRing(), "the array should keep the ring mapped");
        assertEquals(64.0 * 64, view.sumNumber().doubleValue(), "the memory is still there to compute on");
        view.addi(1); // the memory is the array's to use: no crash after everything else closed

        view = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (mapsRing()) {
            assertTrue(System.nanoTime() < deadline, "ring still mapped 30 s after its last array was dropped");
            collectGarbage(1);
        }
    }

    @Test
    void aRingFileTruncatedByAnotherProcessIsRefusedBeforeNd4jTouchesIt() {
        // libnd4j takes SIGBUS on unbacked pages and aborts the JVM: the child JVM is the test subject.
        try (Ring ring = Ring.create(name, RingOptions.of(DType.FLOAT32, 64, 64).capacity(4));
             RingWriter writer = ring.writer()) {
            for (int p = 0; p < 4; p++) {
                writer.write(filled(64 * 64, 1.0f));
            }
        }
        try (PeerProcess child = PeerProcess.java(Nd4jPeer.class, "truncated-ring-view", name)) {
            assertEquals(List.of("returned", "returned", "SharedMemoryException", "alive"),
                    child.finish(Duration.ofSeconds(60)));
        }
    }

    private boolean mapsRing() throws IOException {
        String segment = Path.of("/dev/shm", io.arrowshm.internal.ring.RingNames.of(name).segment()).toString();
        try {
            return Files.readAllLines(Path.of("/proc/self/maps")).stream().anyMatch(line -> line.contains(segment));
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static float[] filled(int n, float value) {
        float[] out = new float[n];
        java.util.Arrays.fill(out, value);
        return out;
    }

    private static double[] filled(int n, double value) {
        double[] out = new double[n];
        java.util.Arrays.fill(out, value);
        return out;
    }

    private static void collectGarbage(int rounds) throws InterruptedException {
        for (int i = 0; i < rounds; i++) {
            System.gc();
            Thread.sleep(50); // the cleaner thread runs the release
        }
    }
}

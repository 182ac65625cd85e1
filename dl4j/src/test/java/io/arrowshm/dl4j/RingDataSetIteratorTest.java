package io.arrowshm.dl4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.CursorOptions;
import io.arrowshm.DType;
import io.arrowshm.Overflow;
import io.arrowshm.Ring;
import io.arrowshm.RingFrame;
import io.arrowshm.RingOptions;
import io.arrowshm.RingReader;
import io.arrowshm.RingWriter;
import io.arrowshm.StreamTimeoutException;
import io.arrowshm.testing.Names;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The iterator's contract, one frame at a time (a writer in this JVM, so every position is
 * known): batches of k with the right rows in the right place, the end marker and
 * samplesPerEpoch, reset, a cursor that stops exactly after the last sample handed out (even
 * when a lease held more), zero-copy arrays that are the ring's slots and hold the producer off
 * until the next call, paired rings that fail when out of step, and every refusal.
 */
class RingDataSetIteratorTest {
    private static final Duration SECOND = Duration.ofSeconds(1);
    private final List<Ring> created = new ArrayList<>();

    @AfterEach
    void removeRings() {
        for (Ring ring : created) {
            ring.close();
            Ring.unlink(ring.name());
        }
    }

    private Ring ring(RingOptions options) {
        Ring ring = Ring.create(Names.unique("dl4j-iter"), options);
        created.add(ring);
        return ring;
    }

    /** Sample {@code p} of width {@code w}: value {@code j} is {@code 100 p + j}. */
    private static float[] sample(long p, int w) {
        float[] out = new float[w];
        for (int j = 0; j < w; j++) {
            out[j] = 100f * p + j;
        }
        return out;
    }

    private static void writeSamples(RingWriter writer, long from, long to, int width) {
        for (long p = from; p < to; p++) {
            writer.write(sample(p, width), p, SECOND);
        }
    }

    private static void endEpoch(RingWriter writer, int width) {
        writer.write(new float[width], RingDataSetIterator.END_OF_EPOCH, SECOND);
    }

    /** Asserts that row {@code r} of the batch is sample {@code p}: features then label. */
    private static void assertSample(DataSet batch, int r, long p, int features, int labels) {
        float[] want = sample(p, features + labels);
        float[] f = batch.getFeatures().getRow(r).toFloatVector();
        float[] l = batch.getLabels().getRow(r).toFloatVector();
        for (int j = 0; j < features; j++) {
            assertEquals(want[j], f[j], "sample " + p + " feature " + j);
        }
        for (int j = 0; j < labels; j++) {
            assertEquals(want[features + j], l[j], "sample " + p + " label " + j);
        }
    }

    @ParameterizedTest(name = "zero-copy {0}")
    @ValueSource(booleans = {false, true})
    void oneRingIsSplitIntoFeaturesAndLabelsInBatchesOfK(boolean zeroCopy) {
        Ring ring = ring(RingOptions.of(DType.FLOAT32, 6).capacity(16));
        try (RingWriter writer = ring.writer();
             RingDataSetIterator it = RingDataSetIterator.builder(ring).labelColumns(2).batchSize(4)
                     .zeroCopy(zeroCopy).build()) {
            assertEquals(4, it.inputColumns());
            assertEquals(2, it.totalOutcomes());
            assertEquals(4, it.batch());
            assertTrue(it.resetSupported());
            assertFalse(it.asyncSupported());
            writeSamples(writer, 0, 10, 6);
            endEpoch(writer, 6);
            long p = 0;
            List<Long> sizes = new ArrayList<>();
            while (it.hasNext()) {
                DataSet batch = it.next();
                assertEquals(DataType.FLOAT, batch.getFeatures().dataType());
                assertArrayEquals(new long[] {batch.numExamples(), 4}, batch.getFeatures().shape());
                assertArrayEquals(new long[] {batch.numExamples(), 2}, batch.getLabels().shape());
                for (int r = 0; r < batch.numExamples(); r++) {
                    assertSample(batch, r, p++, 4, 2);
                }
                sizes.add((long) batch.numExamples());
            }
            assertEquals(List.of(4L, 4L, 2L), sizes, "k per batch; the epoch's end cuts the last one");
            assertEquals(10, it.samplesDelivered());
            assertEquals(11, it.position(), "past the samples and the marker");
            assertFalse(it.hasNext());
            assertThrows(NoSuchElementException.class, it::next);
        }
    }

    @ParameterizedTest(name = "zero-copy {0}")
    @ValueSource(booleans = {false, true})
    void twoRingsArePairedFrameByFrame(boolean zeroCopy) {
        Ring features = ring(RingOptions.of(DType.FLOAT32, 2, 3).capacity(8));
        Ring labels = ring(RingOptions.of(DType.INT32, 1).capacity(8));
        try (RingWriter f = features.writer(); RingWriter l = labels.writer();
             RingDataSetIterator it = RingDataSetIterator.builder(features, labels).batchSize(3).zeroCopy(zeroCopy)
                     .build()) {
            assertEquals(6, it.inputColumns());
            assertEquals(1, it.totalOutcomes());
            for (int p = 0; p < 5; p++) {
                f.write(sample(p, 6), p, SECOND);
                l.write(new int[] {7 * p}, p, SECOND);
            }
            f.write(new float[6], RingDataSetIterator.END_OF_EPOCH, SECOND);
            l.write(new int[1], RingDataSetIterator.END_OF_EPOCH, SECOND);
            DataSet first = it.next();
            assertArrayEquals(new long[] {3, 2, 3}, first.getFeatures().shape(), "the leading axis is the batch's");
            assertEquals(DataType.INT, first.getLabels().dataType(), "each ring keeps its own dtype");
            assertEquals(14, first.getLabels().getInt(2, 0));
            assertEquals(105f, first.getFeatures().getFloat(1, 1, 2));
            DataSet second = it.next();
            assertEquals(2, second.numExamples());
            assertEquals(28, second.getLabels().getInt(1, 0));
            assertFalse(it.hasNext());
        }
    }

    @Test
    void resetStartsTheNextEpochWhereTheLastEndedWithoutRewindingOrSkipping() {
        Ring ring = ring(RingOptions.of(DType.FLOAT32, 3).capacity(16));
        try (RingWriter writer = ring.writer();
             RingDataSetIterator it = RingDataSetIterator.builder(ring).labelColumns(1).batchSize(8).build()) {
            writeSamples(writer, 0, 3, 3);
            endEpoch(writer, 3);
            writeSamples(writer, 4, 9, 3); // all in the ring at once: the first lease holds both epochs
            endEpoch(writer, 3);
            assertEquals(3, it.next().numExamples());
            assertFalse(it.hasNext());
            assertEquals(4, it.position(), "the cursor stops right after the marker, inside the lease");
            it.reset();
            DataSet next = it.next();
            assertEquals(5, next.numExamples());
            assertSample(next, 0, 4, 2, 1);
            assertFalse(it.hasNext());
            it.reset();
            it.reset(); // twice: still nothing skipped
            writeSamples(writer, 10, 11, 3);
            assertTrue(it.hasNext());
            assertSample(it.next(1), 0, 10, 2, 1);
        }
    }

    @Test
    void aResetInTheMiddleOfAnEpochSkipsNothing() {
        Ring ring = ring(RingOptions.of(DType.FLOAT32, 3).capacity(16));
        try (RingWriter writer = ring.writer();
             RingDataSetIterator it = RingDataSetIterator.builder(ring).labelColumns(1).batchSize(2).build()) {
            writeSamples(writer, 0, 5, 3);
            endEpoch(writer, 3);
            assertSample(it.next(), 1, 1, 2, 1);
            it.reset();
            assertEquals(0, it.epochSamplesDelivered());
            DataSet rest = it.next();
            assertSample(rest, 0, 2, 2, 1);
            assertEquals(1, it.next().numExamples());
            assertFalse(it.hasNext());
            assertEquals(5, it.samplesDelivered());
        }
    }

    @Test
    void samplesPerEpochEndsEpochsWithoutMarkers() {
        Ring ring = ring(RingOptions.of(DType.FLOAT32, 3).capacity(16));
        try (RingWriter writer = ring.writer();
             RingDataSetIterator it = RingDataSetIterator.builder(ring).labelColumns(1).batchSize(4)
                     .samplesPerEpoch(6).build()) {
            writeSamples(writer, 0, 12, 3);
            assertEquals(4, it.next().numExamples());
            assertEquals(2, it.next().numExamples(), "a batch never crosses the epoch's end");
            assertFalse(it.hasNext());
            assertEquals(6, it.position());
            it.reset();
            assertSample(it.next(), 0, 6, 2, 1);
        }
    }

    @ParameterizedTest(name = "zero-copy {0}")
    @ValueSource(booleans = {false, true})
    void closeMovesTheCursorExactlyPastWhatWasHandedOutAndTheNextIteratorGoesOn(boolean zeroCopy) {
        Ring ring = ring(RingOptions.of(DType.FLOAT32, 3).capacity(16));
        try (RingWriter writer = ring.writer()) {
            writeSamples(writer, 0, 10, 3);
            try (RingDataSetIterator it = RingDataSetIterator.builder(ring).labelColumns(1).batchSize(8)
                    .zeroCopy(zeroCopy).build()) {
                assertTrue(it.hasNext()); // leases a window of 8
                assertEquals(3, it.next(3).numExamples(), "three of the eight handed out");
            }
            try (RingReader reader = ring.reader("dl4j"); RingFrame f = reader.take(SECOND)) {
                assertEquals(3, f.position(), "the next reader of the cursor starts at the first sample not handed out");
            }
            try (RingDataSetIterator it = RingDataSetIterator.builder(ring).labelColumns(1).batchSize(8)
                    .zeroCopy(zeroCopy).build()) {
                assertEquals(4, it.position());
                DataSet rest = it.next(6);
                assertEquals(6, rest.numExamples());
                assertSample(rest, 0, 4, 2, 1);
                assertSample(rest, 5, 9, 2, 1);
            }
        }
    }

    @Test
    void aZeroCopyBatchIsTheRingsSlotsAndHoldsTheProducerOffUntilTheNextCall() throws Exception {
        Ring ring = ring(RingOptions.of(DType.FLOAT32, 2, 8).capacity(4));
        Ring labels = ring(RingOptions.of(DType.FLOAT32, 1).capacity(4));
        try (RingWriter writer = ring.writer(); RingWriter labelWriter = labels.writer();
             RingDataSetIterator it = RingDataSetIterator.builder(ring, labels).batchSize(4).zeroCopy(true)
                     .idleTimeout(SECOND).build()) {
            for (int p = 0; p < 4; p++) {
                writer.write(sample(p, 16), p, SECOND);
                labelWriter.write(new float[] {p}, p, SECOND);
            }
            DataSet batch = it.next();
            long address = batch.getFeatures().data().addressPointer().address();
            assertTrue(mapsRingAt(ring.name(), address), "the features are not in the ring's mapping: a copy");
            assertTrue(mapsRingAt(labels.name(), batch.getLabels().data().addressPointer().address()));
            assertEquals(1, it.zeroCopyBatches());
            assertThrows(StreamTimeoutException.class, () -> writer.write(sample(4, 16), 4, Duration.ofMillis(100)),
                    "the batch in use holds its slots: the producer must not overwrite them");
            assertEquals(300f, batch.getFeatures().getFloat(3, 0, 0), "the batch still holds its samples");
            assertThrows(StreamTimeoutException.class, it::hasNext, "the next call releases the batch, then waits");
            writer.write(sample(4, 16), 4, SECOND); // released: the producer goes on
        }
    }

    @Test
    void aCopiedBatchIsNotInTheRing() throws Exception {
        Ring ring = ring(RingOptions.of(DType.FLOAT32, 5).capacity(4));
        try (RingWriter writer = ring.writer();
             RingDataSetIterator it = RingDataSetIterator.builder(ring).labelColumns(1).batchSize(4).build()) {
            writeSamples(writer, 0, 4, 5);
            DataSet batch = it.next();
            assertFalse(mapsRingAt(ring.name(), batch.getFeatures().data().addressPointer().address()));
            writeSamples(writer, 4, 8, 5); // the copy is the caller's: the ring's slots are free again
            assertSample(batch, 3, 3, 4, 1);
        }
    }

    @Test
    void pairedRingsOutOfStepAreAnErrorNotMixedSamples() {
        Ring features = ring(RingOptions.of(DType.FLOAT32, 2).capacity(8));
        Ring labels = ring(RingOptions.of(DType.FLOAT32, 1).capacity(8));
        try (RingWriter f = features.writer(); RingWriter l = labels.writer()) {
            f.write(new float[2], 0, SECOND);
            f.write(new float[2], 1, SECOND);
            l.write(new float[1], 0, SECOND);
            l.write(new float[1], 5, SECOND); // the producer's ids disagree at position 1
            try (RingDataSetIterator it = RingDataSetIterator.builder(features, labels).batchSize(2).build()) {
                IllegalStateException e = assertThrows(IllegalStateException.class, it::next);
                assertTrue(e.getMessage().contains("out of step"), e.getMessage());
            }
            try (RingReader ahead = labels.reader("ahead")) {
                ahead.take(SECOND).close();
            }
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> RingDataSetIterator.builder(features, labels).cursor("ahead").build());
            assertTrue(e.getMessage().contains("out of step"), e.getMessage());
            assertTrue(features.cursors().stream().noneMatch(c -> c.name().equals("ahead") && c.live()),
                    "a refused iterator must detach its cursors");
        }
    }

    @Test
    void aProducerThatFallsSilentIsATimeoutNotAnEndAndLosesNothing() {
        Ring ring = ring(RingOptions.of(DType.FLOAT32, 3).capacity(4));
        try (RingWriter writer = ring.writer();
             RingDataSetIterator it = RingDataSetIterator.builder(ring).labelColumns(1).batchSize(4)
                     .idleTimeout(Duration.ofMillis(200)).build()) {
            writeSamples(writer, 0, 2, 3);
            long start = System.nanoTime();
            assertThrows(StreamTimeoutException.class, it::next, "two samples and silence: the batch cannot be filled");
            assertTrue(System.nanoTime() - start < Duration.ofSeconds(5).toNanos());
            writeSamples(writer, 2, 4, 3); // the producer is back: the interrupted batch is completed, nothing lost
            assertTrue(it.hasNext());
            DataSet batch = it.next();
            assertEquals(4, batch.numExamples());
            for (int r = 0; r < 4; r++) {
                assertSample(batch, r, r, 2, 1);
            }
            assertEquals(4, it.samplesDelivered());
        }
    }

    @Test
    void everyMisfitIsRefusedBeforeTheCursorAttaches() {
        Ring overwrite = ring(RingOptions.of(DType.FLOAT32, 3).overflow(Overflow.OVERWRITE));
        Ring wide = ring(RingOptions.of(DType.FLOAT32, 2, 3));
        Ring ok = ring(RingOptions.of(DType.FLOAT32, 3));
        Ring complex = ring(RingOptions.of(DType.COMPLEX64, 3));
        refused(IllegalArgumentException.class, "Overflow.BLOCK",
                () -> RingDataSetIterator.builder(overwrite).labelColumns(1).build());
        refused(IllegalArgumentException.class, "1-D frames",
                () -> RingDataSetIterator.builder(wide).labelColumns(1).build());
        refused(IllegalArgumentException.class, "0 < n < 3", () -> RingDataSetIterator.builder(ok).build());
        refused(IllegalArgumentException.class, "0 < n < 3",
                () -> RingDataSetIterator.builder(ok).labelColumns(3).build());
        refused(IllegalArgumentException.class, "must stay unset",
                () -> RingDataSetIterator.builder(ok, wide).labelColumns(1).build());
        refused(IllegalArgumentException.class, "cannot hold both", () -> RingDataSetIterator.builder(ok, ok).build());
        refused(IllegalArgumentException.class, "must be blocking", () -> RingDataSetIterator.builder(ok)
                .labelColumns(1).cursorOptions(CursorOptions.defaults().blocking(false)).build());
        refused(IllegalArgumentException.class, "batchSize",
                () -> RingDataSetIterator.builder(ok).labelColumns(1).batchSize(0).build());
        refused(UnsupportedOperationException.class, "complex64",
                () -> RingDataSetIterator.builder(complex).labelColumns(1).build());
        for (Ring ring : List.of(overwrite, wide, ok, complex)) {
            assertTrue(ring.cursors().isEmpty(), "a refused iterator attached a cursor to " + ring.name());
        }
    }

    @Test
    void aPreProcessorRunsOnCopiesAndIsRefusedForZeroCopyBatches() {
        Ring ring = ring(RingOptions.of(DType.FLOAT32, 3).capacity(4));
        try (RingWriter writer = ring.writer();
             RingDataSetIterator copies = RingDataSetIterator.builder(ring).labelColumns(1).batchSize(2).build();
             RingDataSetIterator views = RingDataSetIterator.builder(ring).labelColumns(1).batchSize(2)
                     .cursor("views").zeroCopy(true).build()) {
            writeSamples(writer, 0, 2, 3);
            copies.setPreProcessor(batch -> batch.getFeatures().muli(2));
            assertNotNull(copies.getPreProcessor());
            assertEquals(2f, copies.next().getFeatures().getFloat(0, 1));
            refused(UnsupportedOperationException.class, "zero-copy",
                    () -> views.setPreProcessor(batch -> batch.getFeatures().muli(2)));
            assertEquals(1f, views.next().getFeatures().getFloat(0, 1), "the ring's samples are untouched");
        }
    }

    @Test
    void closingTheRingBeforeTheIteratorIsHarmless() {
        Ring ring = ring(RingOptions.of(DType.FLOAT32, 3).capacity(8));
        try (RingWriter writer = ring.writer()) {
            writeSamples(writer, 0, 6, 3);
        }
        RingDataSetIterator it = RingDataSetIterator.builder(ring).labelColumns(1).batchSize(8).build();
        assertEquals(2, it.next(2).numExamples()); // a lease of 6 is open, 2 handed out
        ring.close();
        it.close(); // the ring closed its reader: the lease goes without moving the cursor, and nothing throws
        try (Ring again = Ring.open(ring.name()); RingReader reader = again.reader("dl4j")) {
            assertEquals(0, reader.position(), "a reader closed before its lease moves nothing: all six come again");
        }
    }

    @Test
    void aClosedIteratorRefusesClearly() {
        Ring ring = ring(RingOptions.of(DType.FLOAT32, 3).capacity(4));
        RingDataSetIterator it = RingDataSetIterator.builder(ring).labelColumns(1).build();
        it.close();
        it.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, it::hasNext);
        assertTrue(e.getMessage().contains("is closed"), e.getMessage());
        assertTrue(ring.cursors().stream().noneMatch(c -> c.live()), "close() detaches the cursor");
    }

    private static <T extends Throwable> void refused(Class<T> type, String message,
                                                      org.junit.jupiter.api.function.Executable call) {
        T e = assertThrows(type, call);
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    /** Whether this process still maps the ring's file anywhere. */
    static boolean mapsRing(String ring) throws IOException {
        return mapsRingAt(ring, -1);
    }

    /**
     * Whether {@code address} lies inside this process's mapping of the ring's file (-1: anywhere) (which the
     * creator mapped under the file's temporary name, {@code <segment>.<pid>.<random>.tmp}).
     */
    static boolean mapsRingAt(String ring, long address) throws IOException {
        String segment = Path.of("/dev/shm", io.arrowshm.internal.ring.RingNames.of(ring).segment()).toString();
        for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
            int at = line.indexOf(segment);
            if (at >= 0 && (line.length() == at + segment.length() || line.charAt(at + segment.length()) == '.')) {
                String[] range = line.substring(0, line.indexOf(' ')).split("-");
                if (address == -1
                        || Long.parseUnsignedLong(range[0], 16) <= address && address < Long.parseUnsignedLong(range[1], 16)) {
                    return true;
                }
            }
        }
        return false;
    }

    static {
        Nd4j.getRandom(); // loads the backend once, outside any test's timing
    }
}

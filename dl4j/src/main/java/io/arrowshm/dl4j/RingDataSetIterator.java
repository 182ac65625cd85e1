package io.arrowshm.dl4j;

import io.arrowshm.CursorOptions;
import io.arrowshm.DType;
import io.arrowshm.Overflow;
import io.arrowshm.Ring;
import io.arrowshm.nd4j.Nd4jTypes;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A DL4J {@link DataSetIterator} over samples another process writes to a ring: {@code k} frames
 * per {@link DataSet}, read through a named cursor, so every sample is handed out exactly once and
 * in order, and a trainer restarted under the same cursor name continues where the last one
 * stopped. Either one ring holds whole samples (each frame a 1-D vector: the features, then the
 * last {@code labelColumns} values, the label), or two rings hold features and labels, frame
 * {@code p} of one paired with frame {@code p} of the other.
 *
 * <pre>{@code
 * try (Ring samples = Ring.open("samples");                    // float32 (20,): 16 features, a 4-class one-hot label
 *      RingDataSetIterator train = RingDataSetIterator.builder(samples)
 *              .labelColumns(4)
 *              .batchSize(64)
 *              .cursor("trainer")
 *              .build()) {
 *     network.fit(train);                                      // one epoch: up to the producer's end marker
 *     System.out.println(train.samplesDelivered() + " samples");
 * }
 * }</pre>
 *
 * <p><b>The end of an epoch</b> is a frame whose frame id is {@link #END_OF_EPOCH}: the producer
 * writes one after an epoch's last sample (its contents are ignored), and {@link #hasNext()}
 * returns false when it reaches it. The marker travels in the ring with the samples, so it is
 * ordered after every one of them, survives a restart of either side, and needs no count agreed
 * in advance; an idle timeout could not tell a slow producer from a finished one. When the
 * producer cannot write markers, {@link Builder#samplesPerEpoch} ends each epoch after a fixed
 * count instead. A producer that stops without either is not an end but a failure: a wait for a
 * sample longer than {@link Builder#idleTimeout} (60 s by default) throws
 * {@link io.arrowshm.StreamTimeoutException}, whose message says whether the ring's writer is
 * alive.
 *
 * <p><b>{@link #reset()}</b> starts the next epoch-of-stream. A ring cursor is durable and never
 * goes back (the ring keeps only its last {@code capacity} frames, and a sample already used must
 * not be used again), so reset neither rewinds nor skips: it forgets that the epoch ended, and
 * {@link #hasNext()} then looks at the frames after the marker. DL4J resets an iterator only once
 * it is exhausted ({@code MultiLayerNetwork.fit(iterator, epochs)}), so each epoch is what the
 * producer wrote between two markers. A reset in the middle of an epoch ends nothing: the rest of
 * that epoch's samples are the start of the next one.
 *
 * <p><b>Copies.</b> By default each batch is one copy out of the ring into new arrays of the
 * ring's dtype: a single copy of the slots when the rows are whole frames, or one per row and part
 * when a ring holds features and labels together. With {@link Builder#zeroCopy(boolean)} a batch
 * whose {@code k} frames are consecutive slots already written is handed out without a copy: its
 * arrays are the ring's slots themselves, leased until the next call to this iterator (so the
 * producer cannot overwrite them while the network reads them), and a batch that the ring's end or
 * a slow producer splits is copied as above. Either way a DataSet never outlives its memory:
 * zero-copy arrays hold their own reference to the mapping.
 *
 * <p><b>{@link #asyncSupported()} is false.</b> The ring already is the prefetch buffer (the
 * producer fills it while the network trains) and a batch costs one copy at most, so DL4J's
 * {@code AsyncDataSetIterator} would add a thread and a queue for nothing; worse, in nd4j-api
 * 1.0.0-M2.1 its prefetch thread records an exception of the wrapped iterator but never queues
 * its terminator, so a producer that died would hang {@code fit} forever instead of failing it.
 * And zero-copy batches must stay leased while the network reads them, which a prefetch queue
 * cannot know.
 *
 * <p><b>Exactly once</b>: within one process every sample is handed out once. The cursor moves
 * exactly past what was handed out (a lease that also holds later frames is cut to the last one
 * handed out), at the latest on the next call or on {@link #close()}, so a trainer that closes
 * and one built after it under the same cursor name together get every sample once. After a
 * crash the cursor's next reader starts at the cursor and skips nothing that was not handed out:
 * copied batches were behind the cursor as soon as they were handed out (a batch being copied at
 * the moment of the crash is lost with the process); a zero-copy batch was still leased while the
 * network read it, so it is handed out again, whole. The ring must be {@link Overflow#BLOCK} and
 * the cursor blocking, so the producer waits for the trainer rather than overwrite a sample; give
 * the cursor a grace ({@link CursorOptions#grace}) longer than a restart takes. Paired rings must
 * stay in step: their cursors at the same position and paired frames with the same frame id;
 * otherwise the iterator fails with {@link IllegalStateException} rather than mix samples.
 *
 * <p>One thread at a time (DL4J's training loop); {@link #close()} detaches the cursor.
 */
public final class RingDataSetIterator implements DataSetIterator, AutoCloseable {
    private static final long serialVersionUID = 1L;

    /** The frame id that ends an epoch: 0xFFFFFFFFFFFFFFFF (Python: {@code frame_id=2**64 - 1}). */
    public static final long END_OF_EPOCH = -1L;

    private final transient RingRows features;
    private final transient RingRows labels; // null: one ring holds the labels after the features
    private final long[] featureShape;
    private final long[] labelShape;
    private final int labelColumns;
    private final DataType featureType;
    private final DataType labelType;
    private final int batchSize;
    private final long samplesPerEpoch;
    private final boolean zeroCopy;
    private final Duration idle;
    private transient DataSetPreProcessor preProcessor;
    private transient Partial partial; // a copied batch a failure interrupted: its rows left the ring already
    private boolean epochEnded;
    private long epochDelivered;
    private long delivered;
    private long zeroCopyBatches;
    private long copiedBatches;
    private boolean closed;

    private RingDataSetIterator(Builder b, RingRows features, RingRows labels) {
        this.features = features;
        this.labels = labels;
        this.labelColumns = b.labelColumns;
        this.batchSize = b.batchSize;
        this.samplesPerEpoch = b.samplesPerEpoch;
        this.zeroCopy = b.zeroCopy;
        this.idle = b.idleTimeout;
        Ring f = b.features;
        if (labels == null) {
            long width = f.shape()[0];
            this.featureShape = new long[] {width - labelColumns};
            this.labelShape = new long[] {labelColumns};
            this.featureType = Nd4jTypes.dataType(f.dtype());
            this.labelType = featureType;
        } else {
            this.featureShape = f.shape();
            this.labelShape = b.labels.shape();
            this.featureType = Nd4jTypes.dataType(f.dtype());
            this.labelType = Nd4jTypes.dataType(b.labels.dtype());
        }
    }

    /** An iterator over one ring whose frames hold the features and then the label ({@link Builder#labelColumns}). */
    public static Builder builder(Ring samples) {
        return new Builder(Objects.requireNonNull(samples, "samples"), null);
    }

    /** An iterator over two rings: frame {@code p} of {@code features} with frame {@code p} of {@code labels}. */
    public static Builder builder(Ring features, Ring labels) {
        return new Builder(Objects.requireNonNull(features, "features"), Objects.requireNonNull(labels, "labels"));
    }

    // ------------------------------------------------------------------ DataSetIterator

    /**
     * Whether another sample belongs to this epoch: waits (at most the idle timeout) for the next
     * frame, and returns false at an end marker, which it consumes, or after
     * {@link Builder#samplesPerEpoch} samples.
     *
     * @throws io.arrowshm.StreamTimeoutException when no frame comes within the idle timeout
     */
    @Override
    public synchronized boolean hasNext() {
        beginCall();
        if (partial != null) {
            return true; // rows taken from the ring before a failure, not handed out yet
        }
        if (epochEnded) {
            return false;
        }
        if (samplesPerEpoch > 0 && epochDelivered >= samplesPerEpoch) {
            epochEnded = true;
            return false;
        }
        features.fill(wanted(batchSize), idle);
        if (features.frameId(0) == END_OF_EPOCH) {
            consumeMarker();
            epochEnded = true;
            return false;
        }
        return true;
    }

    /** The next batch of up to {@link #batch()} samples (fewer only where the epoch ends). */
    @Override
    public DataSet next() {
        return next(batchSize);
    }

    /**
     * The next batch of up to {@code num} samples (fewer only where the epoch ends). When a copied
     * batch fails half-filled (a producer silent past the idle timeout, say), the rows it took
     * from the ring are kept, and the next call completes that batch (of the size first asked).
     */
    @Override
    public synchronized DataSet next(int num) {
        if (num < 1) {
            throw new IllegalArgumentException("a batch needs at least 1 sample, got " + num);
        }
        if (!hasNext()) {
            throw new NoSuchElementException("the epoch has ended (its end marker, or samplesPerEpoch); call reset()"
                    + " to start the next one");
        }
        int wanted = wanted(num);
        DataSet batch = zeroCopy && partial == null ? viewed(wanted) : null;
        if (batch == null) {
            batch = copied(wanted);
        }
        if (preProcessor != null) {
            preProcessor.preProcess(batch);
        }
        return batch;
    }

    private int wanted(int num) {
        return samplesPerEpoch > 0 ? (int) Math.min(num, samplesPerEpoch - epochDelivered) : num;
    }

    /** The batch as views of the ring's slots, when its rows are consecutive slots already leased; else null. */
    private DataSet viewed(int wanted) {
        int rows = features.runBefore(END_OF_EPOCH, wanted);
        boolean endsHere = rows < wanted && rows < features.left(); // a marker follows: the epoch's last batch
        if (rows < wanted && !endsHere) {
            return null;
        }
        if (labels != null) {
            labels.fill(rows, idle);
            if (labels.left() < rows) {
                return null;
            }
            requireInStep(rows);
        }
        INDArray f;
        INDArray l;
        INDArray whole = features.view(rows);
        if (labels == null) {
            long width = featureShape[0];
            f = whole.get(NDArrayIndex.all(), NDArrayIndex.interval(0, width));
            l = whole.get(NDArrayIndex.all(), NDArrayIndex.interval(width, width + labelColumns));
        } else {
            f = whole;
            l = labels.view(rows);
            labels.advance(rows);
        }
        features.advance(rows); // the windows stay open until the next call: the arrays are their slots
        delivered(rows);
        zeroCopyBatches++;
        return new DataSet(f, l);
    }

    /** The batch copied out of the ring, row by row as frames are written, up to an end marker. */
    private DataSet copied(int wanted) {
        Partial batch = partial != null ? partial : new Partial(
                Nd4j.createUninitialized(featureType, shapeOf(wanted, featureShape), 'c'),
                Nd4j.createUninitialized(labelType, shapeOf(wanted, labelShape), 'c'));
        partial = null;
        try {
            return fill(batch);
        } catch (RuntimeException | Error e) {
            if (batch.rows > 0) {
                partial = batch; // its rows left the ring: the next call hands them out
            }
            throw e;
        }
    }

    private DataSet fill(Partial batch) {
        INDArray f = batch.features;
        INDArray l = batch.labels;
        int wanted = Math.toIntExact(f.size(0));
        long featureRow = bytes(featureShape, f);
        long labelRow = bytes(labelShape, l);
        while (batch.rows < wanted) {
            int rows = batch.rows;
            features.fill(wanted - rows, idle);
            int run = features.runBefore(END_OF_EPOCH, wanted - rows);
            if (run == 0) {
                break; // an end marker: hasNext() consumes it
            }
            if (labels == null) {
                features.copy(run, 0, featureRow, f, rows * featureRow);
                features.copy(run, featureRow, labelRow, l, rows * labelRow);
            } else {
                labels.fill(run, idle);
                run = Math.min(run, labels.left());
                requireInStep(run);
                features.copy(run, 0, featureRow, f, rows * featureRow);
                labels.copy(run, 0, labelRow, l, rows * labelRow);
                labels.advance(run);
                labels.releaseIfDone();
            }
            features.advance(run);
            features.releaseIfDone();
            batch.rows += run;
        }
        int rows = batch.rows;
        delivered(rows);
        copiedBatches++;
        if (rows < wanted) { // the epoch ended inside the batch: hand out the rows it has
            f = f.get(NDArrayIndex.interval(0, rows)).dup('c');
            l = l.get(NDArrayIndex.interval(0, rows)).dup('c');
        }
        return new DataSet(f, l);
    }

    /** A copied batch being filled: its arrays, and how many rows they hold so far. */
    private static final class Partial {
        final INDArray features;
        final INDArray labels;
        int rows;

        Partial(INDArray features, INDArray labels) {
            this.features = features;
            this.labels = labels;
        }
    }

    private void delivered(int rows) {
        epochDelivered += rows;
        delivered += rows;
    }

    /** The end marker: consumed in both rings, and nothing after it. */
    private void consumeMarker() {
        long at = features.position(0);
        features.cut(1, idle);
        features.advance(1);
        features.releaseIfDone();
        if (labels != null) {
            labels.fill(1, idle);
            if (labels.frameId(0) != END_OF_EPOCH || labels.position(0) != at) {
                throw outOfStep("the end marker at position " + at + " of ring '" + features.ring().name()
                        + "' meets frame id " + Long.toUnsignedString(labels.frameId(0)) + " at position "
                        + labels.position(0) + " of ring '" + labels.ring().name() + "'");
            }
            labels.cut(1, idle);
            labels.advance(1);
            labels.releaseIfDone();
        }
    }

    private void requireInStep(int rows) {
        for (int i = 0; i < rows; i++) {
            if (features.position(i) != labels.position(i) || features.frameId(i) != labels.frameId(i)) {
                throw outOfStep("position " + features.position(i) + " (frame id "
                        + Long.toUnsignedString(features.frameId(i)) + ") of ring '" + features.ring().name()
                        + "' meets position " + labels.position(i) + " (frame id "
                        + Long.toUnsignedString(labels.frameId(i)) + ") of ring '" + labels.ring().name() + "'");
            }
        }
    }

    private static IllegalStateException outOfStep(String what) {
        return new IllegalStateException("the feature and label rings are out of step: " + what + "; write each sample"
                + " to both rings with the same frame id, and read both with one iterator");
    }

    /** Closes the windows whose rows were all handed out: the arrays of a zero-copy batch end here. */
    private void beginCall() {
        if (closed) {
            throw new IllegalStateException("this RingDataSetIterator over ring '" + features.ring().name()
                    + "' is closed; build a new one (the cursor resumes where it stopped)");
        }
        features.releaseIfDone();
        if (labels != null) {
            labels.releaseIfDone();
        }
    }

    /** Always true: see {@link #reset()} for what a reset of a durable cursor means. */
    @Override
    public boolean resetSupported() {
        return true;
    }

    /** Always false: see the class documentation. */
    @Override
    public boolean asyncSupported() {
        return false;
    }

    /**
     * Starts the next epoch-of-stream: the cursor stays where it is (nothing is rewound, nothing
     * skipped), and {@link #hasNext()} reads on from there to the next end marker.
     */
    @Override
    public synchronized void reset() {
        beginCall();
        epochEnded = false;
        epochDelivered = 0;
    }

    @Override
    public int inputColumns() {
        return Math.toIntExact(product(featureShape));
    }

    @Override
    public int totalOutcomes() {
        return Math.toIntExact(product(labelShape));
    }

    @Override
    public int batch() {
        return batchSize;
    }

    /**
     * Runs {@code preProcessor} on every batch. Refused for zero-copy batches, whose arrays are
     * the ring's slots: a pre-processor that works in place (normalizers do) would write into
     * memory every other reader of the ring sees.
     *
     * @throws UnsupportedOperationException in zero-copy mode
     */
    @Override
    public synchronized void setPreProcessor(DataSetPreProcessor preProcessor) {
        if (zeroCopy && preProcessor != null) {
            throw new UnsupportedOperationException("a zero-copy RingDataSetIterator's batches are the ring's slots:"
                    + " a pre-processor would write into memory other readers share; build it without zeroCopy(true),"
                    + " or transform the batches into new arrays yourself");
        }
        this.preProcessor = preProcessor;
    }

    @Override
    public synchronized DataSetPreProcessor getPreProcessor() {
        return preProcessor;
    }

    /** Null: the labels are numbers from the ring, not named classes. */
    @Override
    public List<String> getLabels() {
        return null;
    }

    // ------------------------------------------------------------------ facts

    /** Samples handed out since this iterator was built, every epoch together. */
    public synchronized long samplesDelivered() {
        return delivered;
    }

    /** Samples handed out in the current epoch. */
    public synchronized long epochSamplesDelivered() {
        return epochDelivered;
    }

    /** Batches handed out as views of the ring's slots (zero-copy mode). */
    public synchronized long zeroCopyBatches() {
        return zeroCopyBatches;
    }

    /** Batches copied out of the ring. */
    public synchronized long copiedBatches() {
        return copiedBatches;
    }

    /** The cursor's position in the feature ring: every sample before it was handed out. */
    public synchronized long position() {
        return features.cursorPosition();
    }

    /**
     * Moves the cursor exactly past the samples handed out and detaches it (frames leased but not
     * handed out stay for the cursor's next reader; only the rows of a copied batch that a failure
     * interrupted, already out of the ring, go with this iterator). Close it before its rings: a
     * closed ring has closed its readers, and the cursor then stays where the last open lease
     * began, so that lease's samples come again. The arrays of a zero-copy batch stay mapped but may
     * be overwritten from now on. The rings stay open. Closing twice is harmless.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            features.close();
        } finally {
            if (labels != null) {
                labels.close();
            }
        }
    }

    @Override
    public String toString() {
        return "RingDataSetIterator[" + features.ring().name() + (labels == null ? "" : ", " + labels.ring().name())
                + ", batch " + batchSize + (zeroCopy ? ", zero-copy" : "") + ", " + delivered + " samples]";
    }

    private static long[] shapeOf(long rows, long[] row) {
        long[] shape = new long[row.length + 1];
        shape[0] = rows;
        System.arraycopy(row, 0, shape, 1, row.length);
        return shape;
    }

    private static long bytes(long[] row, INDArray array) {
        return product(row) * array.data().getElementSize();
    }

    private static long product(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /**
     * The rings, the cursor and the batches of a {@link RingDataSetIterator}. Everything is
     * checked in {@link #build()}, before the cursor is attached.
     */
    public static final class Builder {
        private final Ring features;
        private final Ring labels;
        private int labelColumns;
        private int batchSize = 32;
        private String cursor = "dl4j";
        private CursorOptions cursorOptions = CursorOptions.defaults();
        private boolean zeroCopy;
        private Duration idleTimeout = Duration.ofSeconds(60);
        private long samplesPerEpoch;

        private Builder(Ring features, Ring labels) {
            this.features = features;
            this.labels = labels;
        }

        /** One ring only: the last {@code columns} values of each (1-D) frame are the label, the rest the features. */
        public Builder labelColumns(int columns) {
            this.labelColumns = columns;
            return this;
        }

        /** Samples per {@link DataSet} (default 32). */
        public Builder batchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /** The cursor's name (default "dl4j"): a trainer restarted under it continues where the last one stopped. */
        public Builder cursor(String name) {
            this.cursor = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * How the cursor attaches (default {@link CursorOptions#defaults()}: from the oldest frame
         * the ring holds, blocking, 5 s grace). It must be blocking.
         */
        public Builder cursorOptions(CursorOptions options) {
            this.cursorOptions = Objects.requireNonNull(options, "options");
            return this;
        }

        /** Whether batches whose frames are consecutive slots are handed out without a copy (default false). */
        public Builder zeroCopy(boolean zeroCopy) {
            this.zeroCopy = zeroCopy;
            return this;
        }

        /**
         * How long a wait for the next frame may last before it fails with
         * {@link io.arrowshm.StreamTimeoutException} (default 60 s; null: no limit).
         */
        public Builder idleTimeout(Duration timeout) {
            if (timeout != null && timeout.isNegative()) {
                throw new IllegalArgumentException("the idle timeout must be zero or positive, got " + timeout);
            }
            this.idleTimeout = timeout;
            return this;
        }

        /**
         * Ends each epoch after {@code samples} samples, for producers that write no
         * {@link #END_OF_EPOCH} marker (0, the default: end markers only).
         */
        public Builder samplesPerEpoch(long samples) {
            if (samples < 0) {
                throw new IllegalArgumentException("samplesPerEpoch must be 0 (end markers) or positive, got " + samples);
            }
            this.samplesPerEpoch = samples;
            return this;
        }

        /**
         * Checks the rings and options, then attaches the cursor (to both rings when there are two).
         *
         * @throws IllegalArgumentException when a ring or an option does not fit (the message says which)
         * @throws UnsupportedOperationException for a complex dtype, which ND4J has no type for
         * @throws io.arrowshm.CursorInUseException when another reader holds the cursor
         */
        public RingDataSetIterator build() {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
            }
            if (!cursorOptions.blocking()) {
                throw new IllegalArgumentException("the cursor must be blocking: a non-blocking cursor lets the producer"
                        + " overwrite samples the trainer has not read");
            }
            requireLossless(features);
            Nd4jTypes.dataType(features.dtype());
            if (labels == null) {
                long[] shape = features.shape();
                if (shape.length != 1 || labelColumns < 1 || labelColumns >= shape[0]) {
                    throw new IllegalArgumentException("ring '" + features.name() + "' holds " + Arrays.toString(shape)
                            + " frames: one ring needs 1-D frames and labelColumns(n) with 0 < n < "
                            + (shape.length == 1 ? shape[0] : "the frame's length") + " (got " + labelColumns
                            + "), or give the labels their own ring");
                }
            } else {
                if (labelColumns != 0) {
                    throw new IllegalArgumentException("labelColumns is for one ring holding both; with a label ring it"
                            + " must stay unset");
                }
                if (labels.name().equals(features.name())) {
                    throw new IllegalArgumentException("ring '" + features.name() + "' cannot hold both the features"
                            + " and the labels as two rings; give labelColumns(n) to split its frames instead");
                }
                requireLossless(labels);
                Nd4jTypes.dataType(labels.dtype());
            }
            RingRows f = new RingRows(features, cursor, cursorOptions);
            RingRows l = null;
            try {
                if (labels != null) {
                    l = new RingRows(labels, cursor, cursorOptions);
                    if (l.cursorPosition() != f.cursorPosition()) {
                        throw new IllegalStateException("cursor '" + cursor + "' is at position " + f.cursorPosition()
                                + " of ring '" + features.name() + "' but at " + l.cursorPosition() + " of ring '"
                                + labels.name() + "': the rings are out of step; drop the cursor from both"
                                + " (ring.dropCursor) and write them together");
                    }
                }
                return new RingDataSetIterator(this, f, l);
            } catch (RuntimeException | Error e) {
                f.close();
                if (l != null) {
                    l.close();
                }
                throw e;
            }
        }

        private static void requireLossless(Ring ring) {
            if (ring.overflow() != Overflow.BLOCK) {
                throw new IllegalArgumentException("ring '" + ring.name() + "' is " + ring.overflow() + ": training"
                        + " needs every sample once, so the producer must wait for the trainer; create it with"
                        + " Overflow.BLOCK");
            }
            if (ring.dtype() == DType.COMPLEX64 || ring.dtype() == DType.COMPLEX128) {
                throw new UnsupportedOperationException("ring '" + ring.name() + "' holds " + ring.dtype().numpyName()
                        + ", which ND4J has no type for");
            }
        }
    }
}

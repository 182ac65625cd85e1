package io.arrowshm.nd4j;

import io.arrowshm.ReadOnlyStreamException;
import io.arrowshm.SharedMemory;
import java.lang.ref.Reference;
import java.util.Arrays;
import java.util.function.Function;
import org.apache.arrow.memory.ArrowBuf;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ND4J {@link INDArray}s over arrow-shm streams: zero-copy views of the shared payload,
 * consistent snapshots, and publication of an array with the stream's write protocol.
 *
 * <pre>{@code
 * try (SharedMemory shm = SharedMemory.create("frames", DType.FLOAT32, 64, 64)) {
 *     Nd4jStreams.write(shm, Nd4j.rand(DataType.FLOAT, 64, 64));   // one copy, published
 *     INDArray live = Nd4jStreams.view(shm);                         // no copy: the shared memory itself
 *     double total = Nd4jStreams.readZeroCopy(shm, v -> v.sumNumber().doubleValue()); // consistent, no copy
 *     INDArray frame = Nd4jStreams.read(shm);                         // a private snapshot
 *     live.addi(1);             // other processes (pyshmem too) see this at once
 *     shm.unlink();
 * }
 * }</pre>
 *
 * <p>Every stream dtype except complex64 and complex128 maps to the ND4J type with the same
 * bits ({@link Nd4jTypes}); complex streams are refused with an
 * {@link UnsupportedOperationException}.
 *
 * <p><b>Lifetime of views.</b> A view holds its own reference to the stream's payload
 * mapping, and gives it back when its data buffer becomes unreachable (a
 * {@link java.lang.ref.Cleaner} tied to {@code view.data()}; views derived from it, such as
 * {@code get}, {@code reshape} or {@code transpose}, reference that buffer and keep it alive).
 * So closing the {@link SharedMemory} handle, or unlinking the stream, never unmaps memory
 * that a reachable view can touch: the view keeps working on the same memory, and the
 * mapping goes at the first garbage collection after the last view is dropped. There is no
 * explicit release, because ND4J cannot invalidate an array that user code still holds.
 * Raw pointers taken out of a view ({@code data().pointer()}, {@code data().asNio()}) are
 * valid only while the view is reachable, as for any ND4J array.
 *
 * <p><b>Consistency.</b> A view is the live memory: a write by another process can change
 * it while ND4J reads it. Use {@link #readZeroCopy} (retried on overlap) or {@link #read}
 * (a snapshot) when a frame must be read whole. Writes through a view are visible to every
 * process at once but are not publications (the count does not move and no reader is woken);
 * publish with {@link #write}.
 */
public final class Nd4jStreams {
    private Nd4jStreams() {
    }

    /**
     * An INDArray over the stream's payload: C order, the stream's shape, the ND4J twin of its
     * dtype, and no copy (its {@code data().addressPointer()} is the mapping's address).
     * In-place ND4J operations ({@code addi}, {@code muli}, {@code assign}, ...) write to the
     * shared memory.
     *
     * <pre>{@code
     * INDArray live = Nd4jStreams.view(shm);
     * live.muli(2);   // every process attached to shm sees the doubled values
     * }</pre>
     *
     * <p>libnd4j's native code cannot survive a fault on unbacked memory: a segment truncated
     * by another process while ND4J computes on the view takes the JVM down with SIGBUS. The
     * view's creation and every {@link #readZeroCopy} run check first
     * ({@link SharedMemory#checkBacked()}) and raise {@code SharedMemoryException} instead;
     * a truncation during an ND4J call itself cannot be caught.
     *
     * @throws UnsupportedOperationException for complex streams, and for an ND4J backend that
     *         copies foreign memory instead of wrapping it (views need a CPU backend)
     * @throws ReadOnlyStreamException for a read-only handle, whose memory ND4J must not write
     * @throws IllegalStateException for a closed handle
     */
    public static INDArray view(SharedMemory shm) {
        DataType type = Nd4jTypes.dataType(shm);
        if (shm.readOnly()) {
            throw new ReadOnlyStreamException("cannot make an INDArray view of read-only stream '" + shm.name()
                    + "': ND4J arrays are writable; open it without OpenOptions.readOnly(),"
                    + " or copy it with Nd4jStreams.read(shm)");
        }
        ArrowBuf lease = shm.buffer();
        try {
            shm.checkBacked(); // libnd4j cannot survive a SIGBUS: refuse a truncated segment up front
        } catch (RuntimeException | Error e) {
            lease.close();
            throw e;
        }
        return MappedArrays.over(lease, type, shm.shape(), "stream '" + shm.name() + "'");
    }

    /**
     * A consistent snapshot of the latest publication in a new C-order INDArray (one copy).
     * Works on read-only handles. Each call allocates an array off-heap, which for large
     * frames costs more than the copy; in a loop, use {@link #readInto} with one array.
     *
     * @throws UnsupportedOperationException for complex streams
     * @throws io.arrowshm.InconsistentStreamException when the last write failed or its writer died
     */
    public static INDArray read(SharedMemory shm) {
        INDArray copy = Nd4j.createUninitialized(Nd4jTypes.dataType(shm), shm.shape(), 'c');
        readInto(shm, copy);
        return copy;
    }

    /**
     * Copies a consistent snapshot into {@code target}, which must be a dense C-order array of
     * the stream's shape and type (as {@link #read} makes); allocates nothing, for loops.
     *
     * @throws IllegalArgumentException when {@code target} does not fit
     */
    public static void readInto(SharedMemory shm, INDArray target) {
        requireFits(shm, target, "read into");
        if (!CContiguous.isDense(target)) {
            throw new IllegalArgumentException("cannot read stream '" + shm.name() + "' into a view or a non-C-order"
                    + " array (ordering " + target.ordering() + ", strides " + Arrays.toString(target.stride())
                    + "); read into a fresh array from Nd4jStreams.read(shm) or Nd4j.createUninitialized(..., 'c')");
        }
        try (ArrowBuf bytes = ForeignArrowBufs.over(target)) {
            shm.readInto(bytes);
        } finally {
            Reference.reachabilityFence(target);
        }
    }

    /**
     * Runs {@code reader} on a live view of the payload inside the stream's seqlock and returns
     * its result when no write overlapped it; otherwise runs it again (see
     * {@link SharedMemory#readZeroCopy}). Nothing is copied. The function must not write to the
     * view or keep it, and should return a value or a new array ({@code sum}, {@code mmul},
     * {@code dup}), not a view of it.
     *
     * <pre>{@code
     * INDArray rowMeans = Nd4jStreams.readZeroCopy(shm, frame -> frame.mean(1));
     * }</pre>
     *
     * @throws ReadOnlyStreamException for a read-only handle (use {@link #read})
     */
    public static <R> R readZeroCopy(SharedMemory shm, Function<INDArray, R> reader) {
        return readZeroCopy(shm, view(shm), reader);
    }

    /**
     * {@link #readZeroCopy(SharedMemory, Function)} on a view the caller holds (from
     * {@link #view}), which saves making one per call in a frame loop.
     *
     * <pre>{@code
     * INDArray frame = Nd4jStreams.view(shm);           // once
     * while (running) {
     *     INDArray features = Nd4jStreams.readZeroCopy(shm, frame, f -> f.mmul(weights));
     * }
     * }</pre>
     *
     * @throws IllegalArgumentException when {@code view} is not a view of {@code shm}'s payload
     */
    public static <R> R readZeroCopy(SharedMemory shm, INDArray view, Function<INDArray, R> reader) {
        requireViewOf(shm, view);
        try {
            return shm.readZeroCopy(payload -> {
                shm.checkBacked(); // each run hands the mapping to native code again
                return reader.apply(view);
            });
        } finally {
            Reference.reachabilityFence(view);
        }
    }

    /**
     * Publishes {@code values} with the stream's write protocol (write lock, seqlock, count,
     * wake-up), copying once from a dense C-order buffer. Views, F-order and strided arrays are
     * first made C-contiguous ({@code dup('c')}), so the stream gets the elements in logical
     * order whatever the layout (that costs an allocation and a second copy; in a loop, keep a
     * dense C-order array and {@code assign} into it). There is no implicit cast: the array's
     * type must be the stream's ({@link Nd4jTypes#dataType}); cast explicitly with {@code castTo}.
     *
     * <pre>{@code
     * Nd4jStreams.write(shm, weights.mmul(input).transpose());   // any layout
     * Nd4jStreams.write(shm, counts.castTo(DataType.FLOAT));      // explicit cast to a float32 stream
     * }</pre>
     *
     * @throws IllegalArgumentException when the type or the shape differs from the stream's
     * @throws ReadOnlyStreamException for a read-only handle
     */
    public static void write(SharedMemory shm, INDArray values) {
        requireFits(shm, values, "write");
        INDArray dense = CContiguous.of(values);
        try (ArrowBuf bytes = ForeignArrowBufs.over(dense)) {
            shm.write(bytes);
        } finally {
            Reference.reachabilityFence(dense);
        }
    }

    private static void requireFits(SharedMemory shm, INDArray array, String operation) {
        DataType type = Nd4jTypes.dataType(shm);
        if (array.dataType() != type) {
            throw new IllegalArgumentException("cannot " + operation + " a " + array.dataType() + " array: stream '"
                    + shm.name() + "' holds " + shm.dtype().numpyName() + " (ND4J " + type
                    + "); cast explicitly with array.castTo(DataType." + type + ")");
        }
        if (!Arrays.equals(array.shape(), shm.shape())) {
            throw new IllegalArgumentException("cannot " + operation + " an array of shape "
                    + Arrays.toString(array.shape()) + ": stream '" + shm.name() + "' has shape "
                    + Arrays.toString(shm.shape()) + "; reshape it with array.reshape('c', ...) first");
        }
    }

    /** The seqlock guards the mapping's bytes only: a reader on any other memory would get no consistency at all. */
    private static void requireViewOf(SharedMemory shm, INDArray view) {
        long address;
        try (ArrowBuf payload = shm.buffer()) {
            address = payload.memoryAddress();
        }
        if (view.dataType() != Nd4jTypes.dataType(shm) || !Arrays.equals(view.shape(), shm.shape())
                || view.ordering() != 'c' || view.data().addressPointer().address() != address) {
            throw new IllegalArgumentException("the array is not a view of stream '" + shm.name()
                    + "'; pass the array Nd4jStreams.view(shm) returned, or use readZeroCopy(shm, reader)");
        }
    }
}

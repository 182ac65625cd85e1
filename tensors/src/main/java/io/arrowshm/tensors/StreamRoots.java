package io.arrowshm.tensors;

import io.arrowshm.DType;
import io.arrowshm.Publication;
import io.arrowshm.SharedMemory;
import java.util.List;
import java.util.function.Function;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.message.ArrowFieldNode;

/**
 * A stream's publication as Arrow data: a one-row {@link VectorSchemaRoot} whose
 * {@code tensor} column ({@code arrow.fixed_shape_tensor}) has the stream's dtype and shape.
 *
 * <p>{@link #readZeroCopy} hands a root whose value buffer <em>is</em> the shared mapping,
 * inside the seqlock (nothing is copied; the function may run again when a write overlapped and
 * must not keep the root). {@link #snapshot} takes a consistent copy with its count, frame id,
 * write time and missed publications, in the recording schema. bool payloads are packed into
 * Arrow bits (a conversion, so not zero-copy); complex payloads show as float pairs (see
 * {@link ArrowTensorTypes}).
 *
 * <pre>{@code
 * try (SharedMemory shm = SharedMemory.open("frames");
 *      BufferAllocator allocator = new RootAllocator()) {
 *     double first = StreamRoots.readZeroCopy(shm, allocator, root -> {
 *         FixedShapeTensorVector tensor = (FixedShapeTensorVector) root.getVector("tensor");
 *         return ((Float4Vector) tensor.values()).get(0);        // reads the mapping itself
 *     });
 *     try (TensorSnapshot snapshot = StreamRoots.snapshot(shm, allocator)) {
 *         System.out.println(snapshot.root().contentToTSVString());
 *     }
 * }
 * }</pre>
 */
public final class StreamRoots {
    private StreamRoots() {
    }

    /**
     * Runs {@code reader} on a one-row root over the live payload inside the seqlock (see
     * {@link SharedMemory#readZeroCopy}) and returns its result. The root is closed when the
     * function returns; it must not be kept, and the function may run more than once. Like
     * {@code SharedMemory.readZeroCopy}, it needs a handle opened for writing (a read-only mapping
     * is refused there); a read-only handle can take a {@link #snapshot}.
     */
    public static <R> R readZeroCopy(SharedMemory shm, BufferAllocator allocator, Function<VectorSchemaRoot, R> reader) {
        DType dtype = shm.dtype();
        long[] shape = shm.shape();
        long size = shm.size();
        return shm.readZeroCopy(view -> {
            try (VectorSchemaRoot root = VectorSchemaRoot.create(RecordingSchema.tensorOnly(dtype, shape), allocator)) {
                loadTensor((FixedShapeTensorVector) root.getVector(0), dtype, view, size, allocator);
                root.setRowCount(1);
                return reader.apply(root);
            }
        });
    }

    /** A consistent copy of the latest publication as a one-row root in the recording schema; the caller closes it. */
    public static TensorSnapshot snapshot(SharedMemory shm, BufferAllocator allocator) {
        Publication publication = shm.readPublication();
        try {
            return TensorSnapshot.of(shm.name(), shm.dtype(), shm.shape(), shm.size(), publication, allocator);
        } catch (RuntimeException | Error e) {
            publication.close();
            throw e;
        }
    }

    /**
     * Loads one row into a tensor vector from {@code size} payload bytes: borrowed (no copy, the
     * caller keeps the memory alive while the vector lives) or, for bool, packed into new bits.
     */
    static void loadTensor(FixedShapeTensorVector tensor, DType dtype, ArrowBuf payload, long size,
                           BufferAllocator allocator) {
        int elements = tensor.type().listSize();
        ArrowBuf empty = allocator.getEmpty();
        tensor.getUnderlyingVector().loadFieldBuffers(new ArrowFieldNode(1, 0), List.of(empty));
        FieldVector values = tensor.values();
        if (dtype == DType.BOOL) {
            try (ArrowBuf bits = TensorBuffers.packBits(payload, 0, elements, allocator)) {
                values.loadFieldBuffers(new ArrowFieldNode(elements, 0), List.of(empty, bits));
            }
        } else {
            values.loadFieldBuffers(new ArrowFieldNode(elements, 0),
                    List.of(empty, TensorBuffers.borrowed(payload.memoryAddress(), size)));
        }
    }
}

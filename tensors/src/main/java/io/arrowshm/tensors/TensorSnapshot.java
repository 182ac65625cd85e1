package io.arrowshm.tensors;

import io.arrowshm.DType;
import io.arrowshm.Publication;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.TimeStampNanoTZVector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * One publication as a one-row {@link VectorSchemaRoot} in the {@link RecordingSchema}: the
 * {@code tensor} value buffer is the publication's own payload copy (no second copy), which
 * this snapshot owns; closing the snapshot frees both (closing twice is harmless). The root is
 * valid until then: do not transfer its buffers elsewhere.
 *
 * <pre>{@code
 * try (TensorSnapshot s = StreamRoots.snapshot(shm, allocator)) {
 *     VectorSchemaRoot row = s.root();
 *     long frameId = s.publication().frameId();
 * }
 * }</pre>
 */
public final class TensorSnapshot implements AutoCloseable {
    private final Publication publication;
    private final VectorSchemaRoot root;
    private final AtomicBoolean closed = new AtomicBoolean();

    private TensorSnapshot(Publication publication, VectorSchemaRoot root) {
        this.publication = publication;
        this.root = root;
    }

    static TensorSnapshot of(String stream, DType dtype, long[] shape, long size, Publication publication,
                             BufferAllocator allocator) {
        VectorSchemaRoot root = VectorSchemaRoot.create(RecordingSchema.of(stream, dtype, shape), allocator);
        try {
            StreamRoots.loadTensor((FixedShapeTensorVector) root.getVector(RecordingSchema.TENSOR), dtype,
                    publication.payload(), size, allocator);
            ((UInt8Vector) root.getVector(RecordingSchema.COUNT)).setSafe(0, publication.count());
            ((UInt8Vector) root.getVector(RecordingSchema.FRAME_ID)).setSafe(0, publication.frameId());
            ((TimeStampNanoTZVector) root.getVector(RecordingSchema.WRITE_TIME)).setSafe(0,
                    WriteTimes.toNanos(publication.writeTime()));
            ((UInt8Vector) root.getVector(RecordingSchema.MISSED)).setSafe(0, publication.missedPublications());
            root.setRowCount(1);
            return new TensorSnapshot(publication, root);
        } catch (RuntimeException | Error e) {
            root.close();
            throw e;
        }
    }

    /** The one-row root (recording schema). */
    public VectorSchemaRoot root() {
        return root;
    }

    /** The publication this row was made from (its payload is the tensor's value buffer). */
    public Publication publication() {
        return publication;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                root.close();
            } finally {
                publication.close();
            }
        }
    }
}

package io.arrowshm.gpu;

import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;
import jcuda.driver.JCudaDriver;

/**
 * A CUDA stream of one handle's own, with the event its publications wait for (the
 * {@value CudaPathOptions#EVENT_SYNC} path, and the pinned staging's DMAs). Waiting for the
 * event waits for this stream's copies only, where {@code cuCtxSynchronize} waits for every
 * stream in the context, other libraries' kernels included.
 *
 * <p>The stream is a blocking one ({@code CU_STREAM_DEFAULT}, not {@code NON_BLOCKING}): its
 * copies start after the work issued before them on the legacy default stream, where torch
 * and most CUDA code run unless told otherwise, exactly as the synchronous copies did. So a
 * {@code writeFromDevice} right after a kernel on the default stream still copies what the
 * kernel wrote.
 */
final class OwnStream {
    private final PrimaryContext context;
    private final CUstream stream;
    private final CUevent issued;
    private boolean closed;

    private OwnStream(PrimaryContext context, CUstream stream, CUevent issued) {
        this.context = context;
        this.stream = stream;
        this.issued = issued;
    }

    static OwnStream create(PrimaryContext context) {
        CUstream stream = new CUstream();
        context.run(() -> JCudaDriver.cuStreamCreate(stream, CUstream_flags.CU_STREAM_DEFAULT), "cuStreamCreate");
        CUevent issued = new CUevent();
        try {
            context.run(() -> JCudaDriver.cuEventCreate(issued, CUevent_flags.CU_EVENT_DISABLE_TIMING), "cuEventCreate");
        } catch (RuntimeException e) {
            context.run(() -> JCudaDriver.cuStreamDestroy(stream), "cuStreamDestroy");
            throw e;
        }
        return new OwnStream(context, stream, issued);
    }

    CUstream stream() {
        return stream;
    }

    /**
     * Returns once everything issued on the stream before the call is complete. Threads may
     * call it at once: each records the event after its own copies (the stream runs in order),
     * and a wait covers the latest record, so nobody returns before its own copies are done.
     */
    void awaitIssued() {
        context.run(() -> JCudaDriver.cuEventRecord(issued, stream), "cuEventRecord");
        context.run(() -> JCudaDriver.cuEventSynchronize(issued), "cuEventSynchronize");
    }

    /** Waits for the stream, then destroys the event and the stream; idempotent. */
    synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            context.run(() -> JCudaDriver.cuStreamSynchronize(stream), "cuStreamSynchronize");
        } finally {
            try {
                context.run(() -> JCudaDriver.cuEventDestroy(issued), "cuEventDestroy");
            } finally {
                context.run(() -> JCudaDriver.cuStreamDestroy(stream), "cuStreamDestroy");
            }
        }
    }
}

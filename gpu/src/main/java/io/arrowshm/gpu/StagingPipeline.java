package io.arrowshm.gpu;

/**
 * Host copies of one payload through two pinned buffers (the {@value CudaPathOptions#PINNED_STAGING}
 * path), a chunk at a time: on the way to the device the host copy of chunk k into one buffer
 * runs while chunk k-1 is DMAed out of the other; on the way back the DMA of chunk k+1 into one
 * buffer runs while chunk k is copied out of the other. A buffer is never touched by the host
 * while a DMA of it is in flight.
 *
 * <p>Why staging, and why the host copy is the core's ({@link io.arrowshm.spi.HostMemory}):
 * the host side of these copies is a stream's data segment, which another process can
 * truncate. The driver then reads or writes only this pipeline's own pinned memory, so it
 * never touches a mapping that can lose its pages; the one access to the segment is a Java
 * copy that turns SIGBUS into an exception. Registering the segment itself with
 * {@code cuMemHostRegister} would skip that copy, but after a truncation the driver would go
 * on DMAing the pinned pages the file no longer has: no crash, but a device that silently
 * receives stale bytes, and device-to-host copies that land nowhere. Which one is faster on a
 * given host is measured by gpu/device-check.sh; this one is correct by construction.
 *
 * <p>Every copy is complete when it returns (its last DMA awaited), so the buffers are idle
 * between copies. A failure (a truncated segment, a driver error) waits for the DMAs in flight
 * before it propagates; a failed wait marks the pipeline broken: later copies refuse, and
 * {@link #close()} leaves its buffers pinned rather than free memory a DMA may still use.
 * Copies and {@link #close()} are serialized: a close waits for the copy in progress, so the
 * pinned memory is never freed under a DMA or a host copy. Nothing is pinned until the first
 * copy.
 */
final class StagingPipeline implements AutoCloseable {

    /** Two pinned host buffers and the DMA between them and the payload; CUDA in {@link CudaStaging}. */
    interface Engine {
        /** Host address of buffer {@code index} (0 or 1). */
        long buffer(int index);

        /** Starts copying {@code bytes} of buffer {@code index} to the payload at {@code payloadOffset}. */
        void startUpload(int index, long payloadOffset, long bytes);

        /** Starts copying {@code bytes} of the payload at {@code payloadOffset} into buffer {@code index}. */
        void startDownload(int index, long payloadOffset, long bytes);

        /** Returns once the last copy started on buffer {@code index} is complete. */
        void await(int index);

        /** Frees the buffers; called once, when no copy is in flight. */
        void release();
    }

    /** Opens an engine whose two buffers hold {@code bufferBytes} each. */
    @FunctionalInterface
    interface EngineFactory {
        Engine open(long bufferBytes);
    }

    /** The host copy into and out of the buffers ({@code HostMemory::copy}). */
    @FunctionalInterface
    interface HostCopy {
        void copy(long source, long target, long bytes);
    }

    private static final long PAGE = 4096;

    private final String stream;
    private final long payloadBytes;
    private final long chunkBytes;
    private final EngineFactory factory;
    private final HostCopy hostCopy;
    private final boolean[] inFlight = new boolean[2];
    private Engine engine;
    private boolean closed;
    private Throwable broken;

    /**
     * @param stream the stream's name, for messages
     * @param payloadBytes the payload's size: no copy is longer
     * @param chunkBytes bytes per chunk; buffers are this long, or the payload rounded up to a page if smaller
     */
    StagingPipeline(String stream, long payloadBytes, long chunkBytes, EngineFactory factory, HostCopy hostCopy) {
        if (payloadBytes <= 0 || chunkBytes <= 0) {
            throw new IllegalArgumentException("payload " + payloadBytes + " and chunk " + chunkBytes
                    + " bytes must be positive");
        }
        this.stream = stream;
        this.payloadBytes = payloadBytes;
        this.chunkBytes = Math.min(chunkBytes, (payloadBytes + PAGE - 1) / PAGE * PAGE);
        this.factory = factory;
        this.hostCopy = hostCopy;
    }

    /** Bytes of each buffer (pinned on the first copy). */
    long bufferBytes() {
        return chunkBytes;
    }

    /** Copies {@code bytes} from host memory at {@code host} to the payload's start; complete on return. */
    synchronized void upload(long host, long bytes) {
        if (!begin(bytes)) {
            return;
        }
        Engine e = engine;
        try {
            int k = 0;
            for (long done = 0; done < bytes; done += chunkBytes, k++) {
                int b = k & 1;
                long n = Math.min(chunkBytes, bytes - done);
                settle(b);
                hostCopy.copy(host + done, e.buffer(b), n);
                inFlight[b] = true;
                e.startUpload(b, done, n);
            }
            settle(0);
            settle(1);
        } catch (RuntimeException | Error t) {
            drain(t);
            throw t;
        }
    }

    /** Copies {@code bytes} from the payload's start to host memory at {@code host}; complete on return. */
    synchronized void download(long host, long bytes) {
        if (!begin(bytes)) {
            return;
        }
        Engine e = engine;
        long chunks = (bytes + chunkBytes - 1) / chunkBytes;
        try {
            for (int k = 0; k < Math.min(2, chunks); k++) {
                startDownload(k, bytes);
            }
            for (long k = 0; k < chunks; k++) {
                int b = (int) (k & 1);
                long offset = k * chunkBytes;
                settle(b);
                hostCopy.copy(e.buffer(b), host + offset, Math.min(chunkBytes, bytes - offset));
                if (k + 2 < chunks) {
                    startDownload(k + 2, bytes);
                }
            }
        } catch (RuntimeException | Error t) {
            drain(t);
            throw t;
        }
    }

    /**
     * Waits for a copy in progress, then frees the pinned buffers; idempotent. A broken
     * pipeline (a wait for a DMA failed, which in CUDA means the context is lost) keeps its
     * buffers: the device might still be copying into them, and freed pages can be reused by
     * the JVM, so two buffers stay pinned until the process exits instead.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (engine != null && broken == null) {
            Engine e = engine;
            engine = null;
            e.release();
        }
    }

    private void startDownload(long chunk, long bytes) {
        int b = (int) (chunk & 1);
        long offset = chunk * chunkBytes;
        inFlight[b] = true;
        engine.startDownload(b, offset, Math.min(chunkBytes, bytes - offset));
    }

    /** Checks the call and opens the engine; false for an empty copy. */
    private boolean begin(long bytes) {
        if (closed) {
            throw new IllegalStateException("the pinned staging of '" + stream + "' is closed");
        }
        if (broken != null) {
            throw new IllegalStateException("the pinned staging of '" + stream + "' failed earlier (" + broken
                    + "); reopen the stream", broken);
        }
        if (bytes < 0 || bytes > payloadBytes) {
            throw new IllegalArgumentException(bytes + " bytes for the " + payloadBytes + "-byte payload of '"
                    + stream + "'");
        }
        if (bytes == 0) {
            return false;
        }
        if (engine == null) {
            engine = factory.open(chunkBytes);
        }
        return true;
    }

    /** Waits until buffer {@code b} is idle; a failed wait breaks the pipeline. */
    private void settle(int b) {
        if (!inFlight[b]) {
            return;
        }
        try {
            engine.await(b);
        } catch (RuntimeException | Error e) {
            broken = e;
            throw e;
        }
        inFlight[b] = false;
    }

    /** After {@code failure}: waits for every copy in flight, so no buffer is in use when it propagates. */
    private void drain(Throwable failure) {
        for (int b = 0; b < 2; b++) {
            if (inFlight[b] && broken == null) {
                try {
                    settle(b);
                } catch (RuntimeException | Error e) {
                    if (e != failure) {
                        failure.addSuppressed(e);
                    }
                }
            }
        }
    }
}

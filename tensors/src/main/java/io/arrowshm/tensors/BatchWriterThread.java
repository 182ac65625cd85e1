package io.arrowshm.tensors;

import io.arrowshm.Publication;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Writes a recorder's batches on a thread of its own, so that snapshotting the stream never
 * waits for the disk: a batch written while the next one fills. The queue is bounded (by bytes),
 * so a disk slower than the stream turns into missed publications, counted, not into unbounded
 * memory. Interrupting the recording thread does not reach this one, so an interrupt never
 * lands inside a file write.
 */
final class BatchWriterThread {
    /** What the queue may hold at most, in payload bytes, before the recorder waits. */
    private static final long QUEUE_BYTES = 256L << 20;

    /** One batch of publications and the publications missed before each. */
    record Batch(List<Publication> rows, long[] missed) {
        void close() {
            rows.forEach(Publication::close);
        }
    }

    private static final Batch END = new Batch(List.of(), new long[0]);

    private final TensorIpcWriter writer;
    private final BlockingQueue<Batch> queue;
    private final Thread thread;
    private volatile Throwable failure;
    private volatile long batches;
    private volatile long bytesWritten;

    BatchWriterThread(TensorIpcWriter writer, String streamName, long batchBytes) {
        this.writer = writer;
        this.queue = new ArrayBlockingQueue<>((int) Math.max(2, Math.min(64, QUEUE_BYTES / Math.max(1, batchBytes))));
        this.bytesWritten = writer.bytesWritten();
        this.thread = new Thread(this::run, "arrow-shm-record-" + streamName);
        thread.setDaemon(true);
        thread.start();
    }

    /** Queues a batch (waiting while the queue is full); the writer thread closes its publications. */
    void submit(Batch batch) {
        rethrowFailure();
        putUninterruptibly(batch);
    }

    /** Writes what is queued, then the footer or end marker; returns when the file is finished. */
    void finish() {
        putUninterruptibly(END);
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true; // the file must be finished before we return; the interrupt is kept
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        rethrowFailure();
    }

    long batches() {
        return batches;
    }

    long bytesWritten() {
        return bytesWritten;
    }

    private void run() {
        try {
            for (Batch batch = queue.take(); batch != END; batch = queue.take()) {
                try {
                    if (failure == null) {
                        write(batch);
                    }
                } finally {
                    batch.close();
                }
            }
            writer.finish();
            bytesWritten = writer.bytesWritten();
        } catch (Throwable e) {
            failure = e;
            drain();
        }
    }

    private void write(Batch batch) throws IOException {
        int n = batch.rows().size();
        List<org.apache.arrow.memory.ArrowBuf> rows = new ArrayList<>(n);
        long[] counts = new long[n];
        long[] frameIds = new long[n];
        long[] writeTimes = new long[n];
        for (int i = 0; i < n; i++) {
            Publication p = batch.rows().get(i);
            rows.add(p.payload());
            counts[i] = p.count();
            frameIds[i] = p.frameId();
            writeTimes[i] = WriteTimes.toNanos(p.writeTime());
        }
        writer.writeBatch(rows, counts, frameIds, writeTimes, batch.missed());
        batches++;
        bytesWritten = writer.bytesWritten();
    }

    private void drain() {
        for (Batch batch = queue.poll(); batch != null; batch = queue.poll()) {
            batch.close();
        }
    }

    private void putUninterruptibly(Batch batch) {
        boolean interrupted = false;
        while (true) {
            if (failure != null && batch != END) {
                batch.close();
                break;
            }
            try {
                queue.put(batch);
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void rethrowFailure() {
        Throwable e = failure;
        if (e instanceof IOException) {
            throw new UncheckedIOException(e.getMessage(), (IOException) e);
        }
        if (e instanceof RuntimeException) {
            throw (RuntimeException) e;
        }
        if (e instanceof Error) {
            throw (Error) e;
        }
    }
}

package io.arrowshm.tensors;

import io.arrowshm.SharedMemory;
import io.arrowshm.testing.Patterns;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;

/** Helpers for the tensors tests: a recorder on its own thread, row digests. */
final class TensorTesting {
    private TensorTesting() {
    }

    /** A recorder running on a thread of its own. */
    static final class Recording {
        final StreamRecorder recorder;
        final Thread thread;
        final AtomicReference<Object> result = new AtomicReference<>();

        Recording(SharedMemory shm, Path file, RecordingOptions options, BufferAllocator allocator) {
            recorder = StreamRecorder.open(shm, file, options, allocator);
            thread = new Thread(() -> {
                try {
                    result.set(recorder.record());
                } catch (Throwable e) {
                    result.set(e);
                }
            }, "recorder");
            thread.start();
        }

        /** Waits until {@code frames} publications are recorded. */
        void awaitFrames(long frames) throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (recorder.stats().frames() < frames) {
                if (System.nanoTime() - deadline > 0 || !thread.isAlive()) {
                    throw new AssertionError("recorder reached " + recorder.stats().frames() + " of " + frames
                            + " frames: " + result.get());
                }
                Thread.sleep(1);
            }
        }

        RecordingStats finish() throws InterruptedException {
            thread.join(30_000);
            recorder.close();
            Object outcome = result.get();
            if (outcome instanceof Throwable) {
                throw new AssertionError("recording failed", (Throwable) outcome);
            }
            return (RecordingStats) outcome;
        }
    }

    static String sha(ArrowBuf buf, long length) {
        byte[] bytes = new byte[Math.toIntExact(length)];
        buf.getBytes(0, bytes);
        return Patterns.sha256(bytes);
    }
}

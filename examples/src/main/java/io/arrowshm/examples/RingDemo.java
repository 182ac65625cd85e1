package io.arrowshm.examples;

import io.arrowshm.CursorOptions;
import io.arrowshm.Ring;
import io.arrowshm.RingLease;
import io.arrowshm.RingReader;
import io.arrowshm.RingWriter;
import io.arrowshm.StreamTimeoutException;
import io.arrowshm.tensors.RecordingOptions;
import io.arrowshm.tensors.RecordingStats;
import io.arrowshm.tensors.RingRecorder;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * The processes of the live demo's ring mode ({@code --ring}), each run in a JVM of its own by
 * {@link LiveDemo}: a producer writing self-checking frames into a BLOCK ring, a consumer reading
 * every frame through its cursor, and a recorder writing every frame to an Arrow IPC file. Each
 * prints a line a second and a total; the consumers say {@code lost 0}: under BLOCK the producer
 * waits for the slowest of them rather than overwrite a frame.
 */
final class RingDemo {
    /**
     * A reader stops once the producer has finished and it has read everything, or after this long
     * without a frame (60 s before the first one: the producer's JVM may be slow to start).
     */
    private static final long IDLE_NANOS = 5_000_000_000L;
    private static final long FIRST_FRAME_NANOS = 60_000_000_000L;

    private RingDemo() {
    }

    /** {@code producer-ring NAME SECONDS FPS}: every element of frame i is i, frame id i. */
    static void produce(String name, double seconds, int fps) {
        try (Ring ring = Ring.open(name); RingWriter writer = ring.writer()) {
            float[] frame = new float[(int) (ring.size() / Float.BYTES)];
            long period = 1_000_000_000L / fps;
            long start = System.nanoTime();
            long end = start + (long) (seconds * 1e9);
            long next = start;
            long lastReport = start;
            long waited = 0;
            int written = 0;
            for (int index = 1; System.nanoTime() < end; index++) {
                Arrays.fill(frame, index);
                long before = System.nanoTime();
                writer.write(frame, index, Duration.ofSeconds(30));   // waits while the slowest cursor is a ring behind
                waited += Math.max(0, System.nanoTime() - before - 1_000_000);
                written++;
                // A frame the readers held back is not made up for with a burst: the schedule starts again from now.
                next = Math.max(next + period, System.nanoTime());
                long now = System.nanoTime();
                if (now - lastReport >= 1_000_000_000L) {
                    System.out.printf("%6.0f frames/s written%n", written / ((now - lastReport) / 1e9));
                    written = 0;
                    lastReport = now;
                }
                LockSupport.parkNanos(next - System.nanoTime());
            }
            System.out.printf(Locale.ROOT, "done, %d frames, held back %.0f ms by readers%n", writer.position(),
                    waited / 1e6);
        }
    }

    /** {@code consumer-ring NAME CURSOR}: leases every frame, checks it is whole, reports rate, latency, lag and lost. */
    static void consume(String name, String cursor) {
        FrameStats stats = FrameStats.forRing();
        try (Ring ring = Ring.open(name); RingReader reader = ring.reader(cursor, CursorOptions.defaults())) {
            long intervalStart = System.nanoTime();
            long lastFrame = System.nanoTime() - IDLE_NANOS + FIRST_FRAME_NANOS;
            while (!finished(ring, reader, lastFrame)) {
                // Zero-copy: the slot itself, which the writer stays off until the lease closes (BLOCK).
                try (RingLease frame = reader.lease(Duration.ofMillis(200))) {
                    stats.frame(nowEpochNanos() - frame.writeTimeNanos(), frame.lost(), whole(frame.buffer(), ring.size()));
                    lastFrame = System.nanoTime();
                } catch (StreamTimeoutException idle) {
                    // the producer paused or finished
                }
                long now = System.nanoTime();
                if (now - intervalStart >= 1_000_000_000L) {
                    stats.lag(reader.available());
                    System.out.println(stats.intervalLine((now - intervalStart) / 1e9));
                    intervalStart = now;
                }
            }
            System.out.println(stats.intervalLine(Math.max(1e-3, (System.nanoTime() - intervalStart) / 1e9)));
            System.out.println(stats.totalLine() + ", at position " + reader.position());
        }
    }

    /** {@code recorder-ring NAME CURSOR FILE}: records every frame through the cursor, reporting rate, lag and lost. */
    static void record(String name, String cursor, Path file) {
        try (Ring ring = Ring.open(name);
             BufferAllocator allocator = new RootAllocator()) {
            RingRecorder[] recorder = new RingRecorder[1];
            long[] lastFrames = {0};
            long[] lastProgress = {System.nanoTime()};
            RecordingOptions options = RecordingOptions.defaults().batchRows(16).progress(stats -> {
                long now = System.nanoTime();
                boolean writerGone = ring.info().writerPid() == 0;   // first: then a lag of 0 includes its last frame
                long lag = ring.writePosition() - recorder[0].position();
                if (now - lastProgress[0] >= 900_000_000L) {
                    System.out.printf(Locale.ROOT, "%6.0f frames/s  %7.1f MB/s recorded  lag %d  lost %d%n",
                            (stats.frames() - lastFrames[0]) / ((now - lastProgress[0]) / 1e9), stats.megabytesPerSecond(),
                            lag, stats.missed());
                    lastFrames[0] = stats.frames();
                    lastProgress[0] = now;
                }
                if (lag == 0 && stats.frames() > 0 && writerGone) {
                    recorder[0].stop();   // the producer is done and everything it wrote is in the file
                }
            }, Duration.ofMillis(100));
            RecordingStats stats;
            try (RingRecorder opened = RingRecorder.open(ring, cursor, CursorOptions.defaults(), file, options, allocator)) {
                recorder[0] = opened;
                stats = opened.record();
            }
            System.out.printf(Locale.ROOT, "total %d frames, lost %d, %.1f MB/s, %s written%n", stats.frames(),
                    stats.missed(), stats.megabytesPerSecond(), file);
        }
    }

    /** The producer has gone (no writer) and this reader has read all it wrote, or nothing came for a while. */
    private static boolean finished(Ring ring, RingReader reader, long lastFrame) {
        if (reader.available() > 0) {
            return false;
        }
        // The writer is looked at first: gone, then nothing left to read, means its last frame was read too.
        boolean writerGone = ring.writePosition() > 0 && ring.info().writerPid() == 0;
        return writerGone && reader.available() == 0 || System.nanoTime() - lastFrame > IDLE_NANOS;
    }

    /**
     * A frame is whole when every element carries the same frame number: every 8-byte word then
     * equals the first (the buffer may be longer than the frame; frames are a whole number of words).
     */
    private static boolean whole(ArrowBuf frame, long size) {
        long first = frame.getLong(0);
        for (long offset = 0; offset + Long.BYTES <= size; offset += Long.BYTES) {
            if (frame.getLong(offset) != first) {
                return false;
            }
        }
        return size % Long.BYTES == 0 || frame.getFloat(size - Float.BYTES) == frame.getFloat(0);
    }

    private static long nowEpochNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}

package io.arrowshm.examples;

import io.arrowshm.SharedMemory;
import io.arrowshm.StreamTimeoutException;
import java.time.Duration;
import java.time.Instant;
import org.apache.arrow.memory.ArrowBuf;

/**
 * Waits for each new frame, checks it is whole and reports rate, latency (from the stream's
 * write_time to the read) and missed frames once a second.
 * Alone: {@code java -jar arrow-shm-demo.jar consumer NAME SECONDS}.
 */
final class DemoConsumer {
    private DemoConsumer() {
    }

    static void run(String name, double seconds) {
        FrameStats stats = new FrameStats();
        try (SharedMemory shm = SharedMemory.open(name)) {
            long end = System.nanoTime() + (long) (seconds * 1e9);
            long intervalStart = System.nanoTime();
            while (System.nanoTime() < end) {
                try (ArrowBuf frame = shm.readNew(Duration.ofMillis(200))) {
                    long latency = nowEpochNanos() - (long) (shm.writeTime() * 1e9);
                    stats.frame(latency, shm.missedWrites(), whole(frame));
                } catch (StreamTimeoutException idle) {
                    // producer paused or finished; keep reporting
                }
                long now = System.nanoTime();
                if (now - intervalStart >= 1_000_000_000L) {
                    System.out.println(stats.intervalLine((now - intervalStart) / 1e9));
                    intervalStart = now;
                }
            }
        }
        System.out.println(stats.totalLine());
    }

    /** A frame is whole when every element carries the same frame number. */
    private static boolean whole(ArrowBuf frame) {
        float first = frame.getFloat(0);
        for (long offset = 0; offset < frame.capacity(); offset += Float.BYTES) {
            if (frame.getFloat(offset) != first) {
                return false;
            }
        }
        return true;
    }

    private static long nowEpochNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}

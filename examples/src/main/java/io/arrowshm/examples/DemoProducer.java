package io.arrowshm.examples;

import io.arrowshm.SharedMemory;
import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;

/**
 * Writes self-checking frames (every element equals the frame number) at a fixed rate.
 * Run by {@link LiveDemo}; alone: {@code java -jar arrow-shm-demo.jar producer NAME SECONDS FPS}.
 */
final class DemoProducer {
    private DemoProducer() {
    }

    static void run(String name, double seconds, int fps) {
        try (SharedMemory shm = SharedMemory.open(name)) {
            float[] frame = new float[(int) (shm.size() / Float.BYTES)];
            long period = 1_000_000_000L / fps;
            long start = System.nanoTime();
            long end = start + (long) (seconds * 1e9);
            long next = start;
            long lastReport = start;
            int written = 0;
            for (int index = 1; System.nanoTime() < end; index++) {
                Arrays.fill(frame, index);
                shm.write(frame);
                written++;
                next += period;
                long now = System.nanoTime();
                if (now - lastReport >= 1_000_000_000L) {
                    System.out.printf("%6.0f frames/s written%n", written / ((now - lastReport) / 1e9));
                    written = 0;
                    lastReport = now;
                }
                LockSupport.parkNanos(next - System.nanoTime());
            }
            System.out.println("done, count " + shm.count());
        }
    }
}

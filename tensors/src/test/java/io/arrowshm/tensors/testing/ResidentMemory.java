package io.arrowshm.tensors.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Resident memory of another process, from {@code /proc/PID/status}: {@code VmRSS} now and
 * {@code VmHWM}, the kernel's high-water mark of it since the process started. The hostile-input
 * tests bound a process's peak with it: an allocation that touched its pages shows there even if
 * it was freed again.
 *
 * <pre>{@code
 * long idle = ResidentMemory.of(server.pid()).rssBytes();
 * // ... the attack ...
 * assertTrue(ResidentMemory.of(server.pid()).peakBytes() - idle < 256L << 20);
 * }</pre>
 */
public final class ResidentMemory {
    /** The bound the hostile-input tests hold a process to, above its idle resident size. */
    public static final long BOUND_ABOVE_IDLE = 256L << 20;

    /** One reading, in bytes; -1 when the process was gone. */
    public record Sample(long rssBytes, long peakBytes) {
        @Override
        public String toString() {
            return "VmRSS " + (rssBytes >> 20) + " MiB, VmHWM " + (peakBytes >> 20) + " MiB";
        }
    }

    private ResidentMemory() {
    }

    /** VmRSS and VmHWM of {@code pid} now (-1 each once it has exited). */
    public static Sample of(long pid) {
        try {
            long rss = -1;
            long hwm = -1;
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = kilobytes(line) << 10;
                } else if (line.startsWith("VmHWM:")) {
                    hwm = kilobytes(line) << 10;
                }
            }
            return new Sample(rss, hwm);
        } catch (IOException gone) {
            return new Sample(-1, -1);
        }
    }

    /** Threads of {@code pid} now (-1 once it has exited). */
    public static int threads(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("Threads:")) {
                    return Integer.parseInt(line.substring("Threads:".length()).strip());
                }
            }
            return -1;
        } catch (IOException gone) {
            return -1;
        }
    }

    /**
     * Follows a process that may exit at any moment (a CLI run) by reading its VmHWM every few
     * milliseconds on a thread of its own: the high-water mark only grows, so the last reading
     * before the exit is the peak up to a few milliseconds before it.
     */
    public static final class Watch implements AutoCloseable {
        private final Thread thread;
        private volatile long peak = -1;
        private volatile boolean stopped;

        public Watch(long pid) {
            thread = new Thread(() -> {
                while (!stopped) {
                    long seen = of(pid).peakBytes();
                    if (seen < 0) {
                        return; // exited
                    }
                    peak = Math.max(peak, seen);
                    try {
                        Thread.sleep(3);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "resident-memory-" + pid);
            thread.setDaemon(true);
            thread.start();
        }

        /** The highest VmHWM read so far, in bytes (-1 if none was read). */
        public long peakBytes() {
            return peak;
        }

        @Override
        public void close() {
            stopped = true;
            try {
                thread.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static long kilobytes(String line) {
        String[] parts = line.split("\\s+");
        return Long.parseLong(parts[1]);
    }
}

package io.arrowshm.internal.posix;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.arrowshm.DType;
import io.arrowshm.SharedMemory;
import io.arrowshm.testing.Names;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongUnaryOperator;

/**
 * Nanoseconds per hot call through whichever {@link HotCalls} this JVM loaded, for comparing the
 * JNA binding (JDK 17, or any JDK from target/classes) with the FFM one (JDK 22+ from the jar).
 * Not a test: run it by hand (README, Performance), once per JDK, on an otherwise idle machine.
 * The internal calls are measured directly (the benchmarks module sees the public API only), and
 * two public operations that sit on them for scale.
 *
 * <p>Each case runs 2 s of warm-up, then 31 batches; the median batch's time per call is printed.
 */
public final class HotCallsBench {
    private static final int BATCHES = 31;
    private static final long BATCH_NANOS = 100_000_000L;
    private static volatile long sink;

    private HotCallsBench() {
    }

    public static void main(String[] args) throws Exception {
        Path lockFile = Files.createTempFile("hotcalls-bench", ".lock");
        int fd = LibC.open(lockFile.toString(), LibC.O_RDWR | LibC.O_CLOEXEC, 0);
        Memory stat = new Memory(FileStat.SIZE);
        Memory word = new Memory(4);
        word.setInt(0, 0);
        long statAddress = Pointer.nativeValue(stat);
        long wordAddress = Pointer.nativeValue(word);

        Map<String, LongUnaryOperator> cases = new LinkedHashMap<>();
        cases.put("flock LOCK_EX|LOCK_NB + LOCK_UN", n -> {
            long s = 0;
            for (long i = 0; i < n; i++) {
                s += HotCalls.flock(fd, LibC.LOCK_EX | LibC.LOCK_NB);
                s += HotCalls.flock(fd, LibC.LOCK_UN);
            }
            return s;
        });
        cases.put("fstat", n -> {
            long s = 0;
            for (long i = 0; i < n; i++) {
                s += HotCalls.fstat(fd, statAddress);
            }
            return s;
        });
        cases.put("fault barrier (abs)", n -> {
            for (long i = 0; i < n; i++) {
                HotCalls.barrier();
            }
            return n;
        });
        cases.put("futex wake, no waiter", n -> {
            long s = 0;
            for (long i = 0; i < n; i++) {
                s += HotCalls.futexWake(wordAddress, Integer.MAX_VALUE);
            }
            return s;
        });
        String name = Names.unique("hotcalls-bench");
        try (SharedMemory shm = SharedMemory.create(name, DType.FLOAT32, 97)) {
            float[] frame = new float[97];
            cases.put("SharedMemory acquire()+release()", n -> {
                for (long i = 0; i < n; i++) {
                    shm.acquire();
                    shm.release();
                }
                return n;
            });
            cases.put("SharedMemory write(97 floats)", n -> {
                for (long i = 0; i < n; i++) {
                    shm.write(frame);
                }
                return n;
            });
            System.out.printf("HotCalls: %s on JDK %s (%s)%n", HotCalls.implementation(), Runtime.version(),
                    HotCalls.class.getProtectionDomain().getCodeSource().getLocation());
            for (Map.Entry<String, LongUnaryOperator> c : cases.entrySet()) {
                System.out.printf("%-34s %8.1f ns (median of %d batches)%n", c.getKey(), median(c.getValue()), BATCHES);
            }
        } finally {
            SharedMemory.unlink(name);
            LibC.close(fd);
            Files.deleteIfExists(lockFile);
        }
    }

    /** Calibrates a batch to about 100 ms, warms up for 2 s, then returns the median ns per call. */
    private static double median(LongUnaryOperator body) {
        long n = 1_000;
        long start = System.nanoTime();
        while (true) {
            long t0 = System.nanoTime();
            sink += body.applyAsLong(n);
            long elapsed = System.nanoTime() - t0;
            if (elapsed < BATCH_NANOS / 2) {
                n *= 2;
            } else if (System.nanoTime() - start > 2_000_000_000L) {
                break;
            }
        }
        double[] perCall = new double[BATCHES];
        for (int b = 0; b < BATCHES; b++) {
            long t0 = System.nanoTime();
            sink += body.applyAsLong(n);
            perCall[b] = (System.nanoTime() - t0) / (double) n;
        }
        Arrays.sort(perCall);
        return perCall[BATCHES / 2];
    }
}

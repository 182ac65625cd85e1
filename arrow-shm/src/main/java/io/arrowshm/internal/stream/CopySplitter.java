package io.arrowshm.internal.stream;

import io.arrowshm.internal.posix.FaultBarrier;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Splits large copies across cores. One thread copying a 400 MB frame runs at about half the
 * memory bandwidth on these machines (Java 17's copy loop, and one core's share of the bus);
 * two threads each copying half reach glibc's {@code memcpy} or beat it. Copies smaller than
 * {@link #thresholdBytes} stay on the caller's thread: for them the hand-off costs more than
 * it saves.
 *
 * <p>The library owns one small pool of daemon threads, created on the first large copy.
 * Settings (system properties, read once): {@code arrowshm.copy.threads}, the threads that
 * share a large copy including the caller's (default: available processors, at most 4; 1
 * turns splitting off), and {@code arrowshm.copy.parallelBytes}, the smallest copy that is
 * split (default 3 MiB).
 *
 * <p>The caller waits for every part, even when interrupted, so no pool thread touches the
 * payload after the copy returns; a part the pool refuses (a rejected task, no native thread for
 * it) runs on the caller's thread instead. A fault in a part (a truncated segment) is delivered
 * there and rethrown to the caller, whose guard turns it into the library's exception.
 */
public final class CopySplitter {
    /**
     * Default smallest copy that is split. Measured on 2 vCPUs: a 4 MB copy took 230–270 µs split,
     * 310–330 µs alone; a 2 MiB copy gained about 5 %, not worth a second busy core.
     */
    static final long DEFAULT_THRESHOLD_BYTES = 3L << 20;
    /** Parts start on page boundaries, so no two threads share a cache line or page. */
    private static final long ALIGNMENT_BYTES = 4096;

    private static final class Shared {
        static final CopySplitter INSTANCE = new CopySplitter(
                Integer.getInteger("arrowshm.copy.threads", Math.min(4, Runtime.getRuntime().availableProcessors())),
                Long.getLong("arrowshm.copy.parallelBytes", DEFAULT_THRESHOLD_BYTES));
    }

    /** One part of a copy: units (elements or bytes) [from, to). */
    @FunctionalInterface
    interface Range {
        void copy(long from, long to);
    }

    private final int parallelism;
    private final long thresholdBytes;
    /** Runs the parts the caller hands off: the library's pool, made on first use, unless a test injected one. */
    private final Executor injected;
    private volatile ThreadPoolExecutor pool;

    CopySplitter(int parallelism, long thresholdBytes) {
        this(parallelism, thresholdBytes, null);
    }

    /** With {@code executor} running the handed-off parts instead of the library's pool (tests inject failures). */
    CopySplitter(int parallelism, long thresholdBytes, Executor executor) {
        this.parallelism = Math.max(1, parallelism);
        this.thresholdBytes = Math.max(ALIGNMENT_BYTES, thresholdBytes);
        this.injected = executor;
    }

    /** The library's splitter, configured by system properties. */
    public static CopySplitter shared() {
        return Shared.INSTANCE;
    }

    /** Threads sharing a large copy, the caller's included (1: splitting is off). */
    public int parallelism() {
        return parallelism;
    }

    public long thresholdBytes() {
        return thresholdBytes;
    }

    /** Whether a copy of {@code bytes} runs on the caller's thread alone. */
    boolean serial(long bytes) {
        return parallelism == 1 || bytes < thresholdBytes;
    }

    /**
     * Copies units [0, {@code units}) of {@code unitBytes} each: the caller takes the first
     * part, pool threads the others, and the call returns when all are done.
     */
    void run(long units, int unitBytes, Range range) {
        long unitsPerAlignment = Math.max(1, ALIGNMENT_BYTES / unitBytes);
        long per = (units + parallelism - 1) / parallelism;
        per = (per + unitsPerAlignment - 1) / unitsPerAlignment * unitsPerAlignment;
        int parts = (int) ((units + per - 1) / per);
        if (parts <= 1) {
            range.copy(0, units);
            return;
        }
        CountDownLatch done = new CountDownLatch(parts - 1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Part[] handOff = new Part[parts];
        for (int p = 1; p < parts; p++) {
            long from = p * per;
            handOff[p] = new Part(range, from, Math.min(units, from + per), done, failure);
        }
        // Everything after the first hand-off sits inside this try, so no way out of run() (a
        // refused hand-off, a fault in our part, an interrupt) skips the wait for the parts.
        try {
            try {
                Executor executor = injected != null ? injected : pool();
                for (int p = 1; p < parts; p++) {
                    executor.execute(handOff[p]);
                }
            } catch (Throwable refused) {
                // A rejected task, or no native thread for it: the parts still unclaimed run below, here.
            }
            Part own = new Part(range, 0, per, null, failure);
            own.run();
            for (int p = 1; p < parts; p++) {
                handOff[p].run(); // does nothing for a part a pool thread claimed
            }
        } finally {
            awaitUninterruptibly(done);
        }
        Throwable failed = failure.get();
        if (failed instanceof RuntimeException) {
            throw (RuntimeException) failed;
        } else if (failed != null) {
            throw (Error) failed;
        }
    }

    /**
     * One part of a split copy, run once by whichever thread claims it first: a pool thread, or
     * the caller when the hand-off failed (an executor may have queued a task and still thrown).
     * Counting down {@code done} once per claimed part is what lets the caller's wait end.
     */
    private static final class Part implements Runnable {
        private final Range range;
        private final long from;
        private final long to;
        private final CountDownLatch done;
        private final AtomicReference<Throwable> failure;
        private final AtomicBoolean claimed = new AtomicBoolean();

        Part(Range range, long from, long to, CountDownLatch done, AtomicReference<Throwable> failure) {
            this.range = range;
            this.from = from;
            this.to = to;
            this.done = done;
            this.failure = failure;
        }

        @Override
        public void run() {
            if (!claimed.compareAndSet(false, true)) {
                return;
            }
            try {
                range.copy(from, to);
                // A fault in this part may be pending (compiled code delivers it late): take it now,
                // on this thread, rather than later in the pool or inside the caller's wait.
                FaultBarrier.deliverPending();
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            } finally {
                if (done != null) {
                    done.countDown();
                }
            }
        }
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // the parts still write into memory the caller owns: wait for them
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private ThreadPoolExecutor pool() {
        ThreadPoolExecutor executor = pool;
        if (executor == null) {
            synchronized (this) {
                executor = pool;
                if (executor == null) {
                    AtomicInteger number = new AtomicInteger();
                    executor = new ThreadPoolExecutor(parallelism - 1, parallelism - 1, 30, TimeUnit.SECONDS,
                            new LinkedBlockingQueue<>(), task -> {
                                Thread thread = new Thread(task, "arrow-shm-copy-" + number.incrementAndGet());
                                thread.setDaemon(true);
                                return thread;
                            });
                    executor.allowCoreThreadTimeOut(true); // idle JVMs keep no copy threads
                    pool = executor;
                }
            }
        }
        return executor;
    }
}

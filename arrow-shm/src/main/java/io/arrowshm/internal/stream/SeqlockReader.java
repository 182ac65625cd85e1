package io.arrowshm.internal.stream;

import io.arrowshm.InconsistentStreamException;
import io.arrowshm.StreamInterruptedException;
import io.arrowshm.StreamTimeoutException;
import io.arrowshm.WaitStrategy;
import io.arrowshm.internal.posix.Futex;
import io.arrowshm.internal.posix.LockFile;
import io.arrowshm.internal.posix.Timespec;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The reader's half of the publication protocol, and the one wait loop every blocking read
 * uses. A read samples a stable (even, non-negative) sequence with acquire semantics, copies,
 * and keeps the copy only if {@link #validate} finds the same sequence afterwards.
 *
 * <p>Waiting: each round checks the stream, then the deadline, the handle's closing and the
 * thread's interrupt, then idles per the {@link WaitStrategy}; a write moving the sequence
 * restarts the rounds. A negative sequence (failed write) raises at once, as pyshmem does;
 * an odd one held past spinning is checked for a dead writer.
 */
public final class SeqlockReader {
    /** A deadline that never passes (the lock file's, so one value means "no deadline" everywhere). */
    public static final long FOREVER = LockFile.FOREVER;
    /** pyshmem's park cap on notify streams, so dead-writer detection keeps running. */
    static final long MAX_FUTEX_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    /** {@link #await}'s "any count will do". */
    private static final long ANY_COUNT = -1;

    private final HeaderWords words;
    private final WaitStrategy strategy;
    private final long futexAddress;
    private final DeadWriterCheck deadWriters;
    private final OperationGuard guard;
    private final String name;

    /**
     * @param futexAddress the sequence word that notify streams park on, or 0 to poll
     */
    SeqlockReader(HeaderWords words, WaitStrategy strategy, long futexAddress, DeadWriterCheck deadWriters,
                  OperationGuard guard, String name) {
        this.words = words;
        this.strategy = strategy;
        this.futexAddress = futexAddress;
        this.deadWriters = deadWriters;
        this.guard = guard;
        this.name = name;
    }

    /** Whether {@code sequence} names a complete, valid publication. */
    public static boolean stable(long sequence) {
        return sequence >= 0 && (sequence & 1) == 0;
    }

    public boolean notifying() {
        return futexAddress != 0;
    }

    /**
     * Whether the generation {@code start} still holds after a payload copy. The fence keeps
     * the copy's plain loads before the re-load of the sequence.
     */
    public boolean validate(long start) {
        java.lang.invoke.VarHandle.loadLoadFence();
        return words.sequenceAcquire() == start;
    }

    /** A stable sequence, waiting out a running write until {@code deadline} ({@link System#nanoTime()}). */
    public long awaitStable(long deadline) {
        long sequence = words.sequenceAcquire();
        return stable(sequence) ? sequence : await(ANY_COUNT, deadline, null);
    }

    /**
     * Waits until a stable publication numbered above {@code after} (unsigned) exists and
     * returns its count; at once if one already does.
     *
     * @param what what the timeout message says was awaited, or null for "count above after"
     */
    public long awaitCount(long after, long deadline, String what) {
        return await(after, deadline, what);
    }

    /** Throws {@link StreamTimeoutException} when {@code deadline} has passed. */
    public void checkDeadline(long deadline, String what) {
        if (remaining(deadline) <= 0) {
            throw timeout(what);
        }
    }

    /** Returns the stable sequence ({@code after == ANY_COUNT}) or the count above {@code after}. */
    private long await(long after, long deadline, String what) {
        Parking parking = null;
        long seen = Long.MIN_VALUE;
        long since = 0;
        for (int round = 0; ; round++) {
            long sequence = words.sequenceAcquire();
            if (sequence != seen) {
                seen = sequence;
                since = System.nanoTime();
                round = 0;
            }
            if (sequence < 0) {
                throw incomplete();
            }
            if (stable(sequence)) {
                if (after == ANY_COUNT) {
                    return sequence;
                }
                long count = words.count();
                if (Long.compareUnsigned(count, after) > 0) {
                    return count;
                }
            } else if (strategy.pastSpinning(round) && deadWriters.abandoned(sequence, since)) {
                throw deadWriter();
            }
            if (remaining(deadline) <= 0) {
                throw what != null || after == ANY_COUNT ? timeout(what != null ? what : "a stable write")
                        : new StreamTimeoutException("timed out waiting for stream '" + name + "' to pass count "
                                + after, null);
            }
            guard.checkOpen("wait on");
            if (Thread.currentThread().isInterrupted()) {
                throw StreamInterruptedException.interrupted("waiting on shared memory '" + name + "'");
            }
            if (parking == null) {
                parking = new Parking(deadline);
            }
            parking.observed = sequence;
            strategy.idle(round, parking);
        }
    }

    private static long remaining(long deadline) {
        return deadline == FOREVER ? Long.MAX_VALUE : deadline - System.nanoTime();
    }

    private StreamTimeoutException timeout(String what) {
        return new StreamTimeoutException("timed out waiting for " + what + " on '" + name + "'", null);
    }

    private InconsistentStreamException incomplete() {
        return new InconsistentStreamException("stream '" + name + "' contains an incomplete write;"
                + " a successful write is required before it can be read");
    }

    private InconsistentStreamException deadWriter() {
        return new InconsistentStreamException("writer process for stream '" + name + "' exited during a write;"
                + " a successful write is required before it can be read");
    }

    /** One wait's parking: on the futex word at the value last seen (no lost wake-up), or a timed sleep. */
    private final class Parking implements WaitStrategy.Parker {
        private final long deadline;
        long observed;

        Parking(long deadline) {
            this.deadline = deadline;
        }

        @Override
        public void park(long pollNanos) {
            long remaining = remaining(deadline);
            if (remaining <= 0 || Thread.currentThread().isInterrupted()) {
                return;
            }
            if (futexAddress != 0) {
                // A Java interrupt does not end a futex wait; the cap bounds how late it is seen.
                Futex.await(futexAddress, (int) observed, Math.min(remaining, MAX_FUTEX_PARK_NANOS),
                        Timespec.forCurrentThread());
            } else {
                LockSupport.parkNanos(Math.min(remaining, Math.max(0, pollNanos)));
            }
        }
    }
}

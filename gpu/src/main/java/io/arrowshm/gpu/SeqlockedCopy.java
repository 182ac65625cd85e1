package io.arrowshm.gpu;

import io.arrowshm.InconsistentStreamException;
import io.arrowshm.StreamTimeoutException;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * A consistent copy of a payload that a writer may publish concurrently, by pyshmem's
 * seqlock (spec §3.5): sample an even {@code write_sequence}, copy, and keep the copy only if
 * the sequence is unchanged afterwards. For device memory the copy must be <em>blocking</em>
 * (for example {@code cuMemcpyDtoD} followed by a context or stream synchronize), because the
 * re-check is only meaningful once the copy has finished; pyshmem's GPU writers synchronize
 * before their even store, so an unchanged even sequence means a complete payload.
 *
 * <pre>{@code
 * long generation = SeqlockedCopy.copy(seqlock::sequence, () -> mapping.copyTo(dst), Duration.ofSeconds(1), "frames");
 * }</pre>
 */
public final class SeqlockedCopy {
    private SeqlockedCopy() {
    }

    /**
     * Runs {@code blockingCopy} until it overlaps no write.
     *
     * @param sequence acquire-load of the stream's {@code write_sequence}
     * @param blockingCopy copies the whole payload and returns once the copy is complete
     * @param timeout how long to keep retrying while writes keep overlapping
     * @param stream the stream's name, for messages
     * @return the even sequence the copy belongs to
     * @throws InconsistentStreamException when the sequence is negative (a failed or dead writer)
     * @throws StreamTimeoutException when no copy succeeded within {@code timeout}
     */
    public static long copy(LongSupplier sequence, Runnable blockingCopy, Duration timeout, String stream) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long start = sequence.getAsLong();
            if (start < 0) {
                throw new InconsistentStreamException("'" + stream + "' holds an invalid payload (write_sequence "
                        + start + ": its last writer failed or died); wait for the next write, or clear() it");
            }
            if ((start & 1) == 0) {
                blockingCopy.run();
                // The copy's completion must be ordered before the re-load that validates it.
                VarHandle.fullFence();
                if (sequence.getAsLong() == start) {
                    return start;
                }
            }
            if (System.nanoTime() - deadline > 0) {
                throw new StreamTimeoutException("no consistent copy of '" + stream + "' within " + timeout
                        + ": writes kept overlapping the copy; retry, or hold the write lock while copying", null);
            }
            Thread.onSpinWait();
        }
    }
}

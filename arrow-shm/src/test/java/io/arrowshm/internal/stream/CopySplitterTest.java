package io.arrowshm.internal.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Core item 11: a split copy never returns while one of its parts can still run, whatever
 * handing a part to the pool does (a rejected task, or no native thread for it). The executor is
 * injected: the first part is accepted and runs, slowly, on a thread of its own; every later
 * hand-off fails. Before the fix {@code run} threw at the failed hand-off at once, with the accepted part
 * still to copy into memory the caller could have unmapped by then.
 */
@Timeout(60)
class CopySplitterTest {
    private static final int UNITS = 4 * 4096;   // four parts of a page each with parallelism 4

    /** Runs the first task at once on a thread of its own, then fails every later hand-off like {@code failure}. */
    private static final class FlakyExecutor implements Executor {
        private final Throwable failure;
        private final AtomicInteger accepted = new AtomicInteger();
        volatile Thread late;

        FlakyExecutor(Throwable failure) {
            this.failure = failure;
        }

        @Override
        public void execute(Runnable task) {
            if (accepted.getAndIncrement() > 0) {
                if (failure instanceof Error) {
                    throw (Error) failure;
                }
                throw (RuntimeException) failure;
            }
            late = new Thread(task, "late-part");
            late.setDaemon(true);
            late.start();
        }
    }

    /** A copy that records every unit it copies, and any copy made after {@code run} returned. */
    private static final class Recorder implements CopySplitter.Range {
        final AtomicLongArray copies = new AtomicLongArray(UNITS);
        final AtomicBoolean returned = new AtomicBoolean();
        final AtomicBoolean copiedAfterReturn = new AtomicBoolean();

        @Override
        public void copy(long from, long to) {
            if (Thread.currentThread().getName().equals("late-part")) {
                sleep(300); // the handed-off part is slow: the caller is done with its own long before
            }
            for (long i = from; i < to; i++) {
                if (returned.get()) {
                    copiedAfterReturn.set(true);
                }
                copies.incrementAndGet((int) i);
            }
        }

        void assertEveryUnitCopiedOnce() {
            for (int i = 0; i < copies.length(); i++) {
                assertEquals(1, copies.get(i), "unit " + i + " copied exactly once");
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void runAndCheck(FlakyExecutor executor) throws InterruptedException {
        CopySplitter splitter = new CopySplitter(4, 4096, executor);
        Recorder recorder = new Recorder();
        Throwable escaped = null;
        try {
            splitter.run(UNITS, 1, recorder);
        } catch (Throwable e) {
            // Caught, not rethrown: JUnit treats an OutOfMemoryError as fatal to the whole test JVM.
            escaped = e;
        }
        recorder.returned.set(true);
        executor.late.join(10_000);
        assertFalse(recorder.copiedAfterReturn.get(), "run() " + (escaped == null ? "returned" : "threw " + escaped)
                + " while a part it handed off still had to copy (it would write after the caller's close)");
        assertNull(escaped, "a refused hand-off is not the caller's failure: the part ran on its thread");
        recorder.assertEveryUnitCopiedOnce();
    }

    @Test
    void aRejectedHandOffWaitsForThePartsAlreadyQueuedAndCopiesTheRestItself() throws Exception {
        runAndCheck(new FlakyExecutor(new RejectedExecutionException("injected: pool saturated")));
    }

    @Test
    void noNativeThreadForAPartStillWaitsForThePartsAlreadyQueued() throws Exception {
        runAndCheck(new FlakyExecutor(new OutOfMemoryError("injected: unable to create native thread")));
    }

    @Test
    void aFailingFirstHandOffCopiesEverythingOnTheCallersThread() {
        Executor refusing = task -> {
            throw new RejectedExecutionException("injected");
        };
        Recorder recorder = new Recorder();
        new CopySplitter(4, 4096, refusing).run(UNITS, 1, recorder);
        recorder.assertEveryUnitCopiedOnce();
    }

    @Test
    void aFaultInTheCallersPartReachesItOnlyAfterEveryPartEnded() throws Exception {
        FlakyExecutor executor = new FlakyExecutor(new RejectedExecutionException("injected"));
        Recorder recorder = new Recorder();
        Throwable thrown = null;
        try {
            new CopySplitter(4, 4096, executor).run(UNITS, 1, (from, to) -> {
                recorder.copy(from, to);
                if (from == 0) {
                    throw new InternalError("a fault in the caller's own part");
                }
            });
        } catch (Throwable e) {
            thrown = e;
        }
        recorder.returned.set(true);
        executor.late.join(10_000);
        assertTrue(thrown instanceof InternalError && thrown.getMessage().contains("caller's own part"),
                String.valueOf(thrown));
        assertFalse(recorder.copiedAfterReturn.get(), "the caller saw its failure only after the handed-off part ended");
        assertFalse(Thread.currentThread().isInterrupted());
    }
}

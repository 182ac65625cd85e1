package io.arrowshm;

import io.arrowshm.internal.format.StreamNames;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/** Bounded waits for the regression tests: a call that hangs on a defective library fails the test instead of the build. */
final class RegressionSupport {
    private RegressionSupport() {
    }

    /** A thread's outcome: what it returned or threw, and whether it ended in time. */
    static final class Outcome {
        final AtomicReference<Object> value = new AtomicReference<>();
        final AtomicReference<Throwable> thrown = new AtomicReference<>();
        volatile boolean interruptedAfter;
        Thread thread;

        boolean ended() {
            return !thread.isAlive();
        }

        String describe() {
            if (!ended()) {
                return "still running (state " + thread.getState() + ")";
            }
            return thrown.get() != null ? "threw " + thrown.get() : "returned " + value.get();
        }
    }

    interface Call {
        Object call() throws Exception;
    }

    /** Starts {@code call} on a daemon thread and records its outcome, including its interrupt status at the end. */
    static Outcome start(String threadName, Call call) {
        Outcome outcome = new Outcome();
        outcome.thread = new Thread(() -> {
            try {
                outcome.value.set(call.call());
            } catch (Throwable t) {
                outcome.thrown.set(t);
            } finally {
                outcome.interruptedAfter = Thread.currentThread().isInterrupted();
            }
        }, threadName);
        outcome.thread.setDaemon(true);
        outcome.thread.start();
        return outcome;
    }

    static void join(Outcome outcome, Duration timeout) throws InterruptedException {
        outcome.thread.join(Math.max(1, timeout.toMillis()));
    }

    /** SharedMemory.unlink(name) on a daemon thread; true when it returned within {@code timeout}. */
    static boolean unlinkWithin(String name, Duration timeout) throws InterruptedException {
        Outcome outcome = start("unlink-" + name, () -> {
            SharedMemory.unlink(name);
            return null;
        });
        join(outcome, timeout);
        return outcome.ended() && outcome.thrown.get() == null;
    }

    /** Cleanup that cannot hang: unlink if the lock allows, otherwise delete the segment files directly. */
    static void removeStream(String name) throws Exception {
        if (!unlinkWithin(name, Duration.ofSeconds(3))) {
            StreamNames names = StreamNames.of(name);
            Files.deleteIfExists(Path.of("/dev/shm", names.dataSegment()));
            Files.deleteIfExists(Path.of("/dev/shm", names.metaSegment()));
        }
    }
}

package io.arrowshm.benchmarks.onnx;

import io.arrowshm.benchmarks.process.Child;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongUnaryOperator;

/**
 * One round of a pipeline benchmark: the Java worker runs {@code next} on a thread of its own
 * for every frame the producer process sends, the producer gets "go", and its "done ..." line is
 * the round's result. A failure on either side fails the round with both sides' story.
 */
final class WorkerRound {
    private static final Duration ROUND = Duration.ofSeconds(600);

    private WorkerRound() {
    }

    /**
     * Runs the round and returns the words of the producer's "done" line ({@code [0]} is "done").
     *
     * @param producer a producer that has said "ready"
     * @param seen     what the worker's first {@code next} gets (a count taken before "go": a frame
     *                 written before the thread ran must count)
     */
    static String[] run(Child producer, LongUnaryOperator next, long seen, int frames) {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread worker = new Thread(() -> {
            try {
                long at = seen;
                for (int i = 0; i < frames; i++) {
                    at = next.applyAsLong(at);
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "onnx-bench-worker");
        worker.start();
        producer.send("go");
        String[] done = producer.awaitLine("done", ROUND).orElseThrow(() -> new IllegalStateException(
                "the producer gave no result (worker: " + failure.get() + "): " + producer.failure())).split(" ");
        try {
            worker.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        if (failure.get() != null) {
            throw new IllegalStateException("the Java worker failed", failure.get());
        }
        return done;
    }
}

package io.arrowshm.benchmarks.dl4j;

import io.arrowshm.DType;
import io.arrowshm.Ring;
import io.arrowshm.RingOptions;
import io.arrowshm.benchmarks.process.Child;
import io.arrowshm.benchmarks.process.Commands;
import io.arrowshm.dl4j.RingDataSetIterator;
import io.arrowshm.dl4j.examples.SampleProducer;
import io.arrowshm.dl4j.examples.SyntheticSamples;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/**
 * One way to feed the benchmark's network one epoch of samples, made ready before the clock
 * starts: DL4J's in-memory {@code ListDataSetIterator} (over single examples, merged into batches
 * as DL4J users write it, or over ready batches, its cheapest use), or a {@link RingDataSetIterator}
 * over a ring a producer process ({@link SampleProducer}) writes: filled before training, or
 * written while the network trains.
 */
interface TrainingFeed extends AutoCloseable {
    Duration START = Duration.ofSeconds(120);

    String label();

    /** The iterator for one epoch, its samples in memory or on their way. */
    DataSetIterator iterator();

    /** Checks that the feed delivered every sample, then releases it. */
    @Override
    void close();

    /** {@code new ListDataSetIterator<>(examples, batch)}: the batches merged from single examples on each next(). */
    static TrainingFeed examples(List<DataSet> examples, int batch) {
        return of("ListDataSetIterator, " + batch + " examples merged per batch", new ListDataSetIterator<>(examples,
                batch));
    }

    /** {@code new ListDataSetIterator<>(batches, 1)}: the batches ready in memory. */
    static TrainingFeed batches(List<DataSet> batches) {
        return of("ListDataSetIterator, ready batches", new ListDataSetIterator<>(batches, 1));
    }

    private static TrainingFeed of(String label, DataSetIterator iterator) {
        return new InMemory(label, iterator);
    }

    /** An in-memory feed: nothing to check or release. */
    record InMemory(String label, DataSetIterator iterator) implements TrainingFeed {
        @Override
        public void close() {
        }
    }

    /**
     * A ring of float32 (20,) samples, features then a 4-class label, read in batches of
     * {@code batch} through a cursor attached before the producer process starts. Prefilled:
     * the ring holds the whole epoch and the producer has finished before this returns. Live: a
     * ring of 1024 slots the producer keeps full while the network trains (this returns once it
     * is full, so the producer's start-up is not timed).
     */
    static TrainingFeed ring(String name, int samples, int batch, boolean zeroCopy, boolean prefilled, Path log) {
        long capacity = prefilled ? samples + 1 : 1024;
        Ring ring = Ring.create(name, RingOptions.of(DType.FLOAT32, SyntheticSamples.WIDTH).capacity(capacity));
        RingDataSetIterator iterator = null;
        Child producer = null;
        try {
            iterator = RingDataSetIterator.builder(ring).labelColumns(SyntheticSamples.CLASSES).batchSize(batch)
                    .zeroCopy(zeroCopy).cursor("bench").idleTimeout(START).build();
            producer = Child.start(Commands.java(SampleProducer.class, List.of("-Xmx256m"),
                    List.of(name, Integer.toString(samples), "--test", "0")), "producer", log);
            long deadline = System.nanoTime() + START.toNanos();
            if (prefilled) {
                producer.awaitLine("wrote", START).orElseThrow(failure(producer));
            } else {
                while (ring.writePosition() < Math.min(capacity, samples)) {
                    if (System.nanoTime() > deadline) {
                        throw failure(producer).get();
                    }
                    LockSupport.parkNanos(1_000_000);
                }
            }
            return new RingFeed(ring, iterator, producer, samples, zeroCopy, prefilled);
        } catch (RuntimeException | Error e) {
            if (producer != null) {
                producer.close();
            }
            if (iterator != null) {
                iterator.close();
            }
            ring.close();
            Ring.unlink(name);
            throw e;
        }
    }

    private static java.util.function.Supplier<IllegalStateException> failure(Child producer) {
        return () -> new IllegalStateException("the producer did not get ready: " + producer.failure());
    }

    /** {@link #ring}'s feed: closing it checks the count, waits for the producer and removes the ring. */
    final class RingFeed implements TrainingFeed {
        private final Ring ring;
        private final RingDataSetIterator iterator;
        private final Child producer;
        private final int samples;
        private final String label;

        RingFeed(Ring ring, RingDataSetIterator iterator, Child producer, int samples, boolean zeroCopy,
                 boolean prefilled) {
            this.ring = ring;
            this.iterator = iterator;
            this.producer = producer;
            this.samples = samples;
            this.label = "ring, " + (zeroCopy ? "zero-copy" : "copied") + " batches, "
                    + (prefilled ? "filled before training" : "producer writing while it trains");
        }

        @Override
        public String label() {
            return label;
        }

        @Override
        public DataSetIterator iterator() {
            return iterator;
        }

        @Override
        public void close() {
            try {
                if (iterator.samplesDelivered() != samples) {
                    throw new IllegalStateException(label + " delivered " + iterator.samplesDelivered() + " of "
                            + samples + " samples");
                }
                if (producer.waitFor(START) != 0) {
                    throw new IllegalStateException("the producer failed: " + producer.failure());
                }
            } finally {
                producer.close();
                iterator.close();
                ring.close();
                Ring.unlink(ring.name());
            }
        }
    }
}

package io.arrowshm.dl4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.DType;
import io.arrowshm.Ring;
import io.arrowshm.RingOptions;
import io.arrowshm.RingWriter;
import io.arrowshm.StreamTimeoutException;
import io.arrowshm.testing.Names;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.AsyncDataSetIterator;

/**
 * Why {@link RingDataSetIterator#asyncSupported()} is false: wrapped in nd4j-api 1.0.0-M2.1's
 * {@code AsyncDataSetIterator} (what {@code MultiLayerNetwork.fit} does to an iterator that
 * says true), a producer that falls silent hangs the consumer for good, because the prefetch
 * thread records the iterator's timeout but never queues its terminator; the bare iterator
 * fails within its idle timeout. If a later DL4J fixes this, the first assertion here fails and
 * says so.
 */
class AsyncPrefetchTest {
    private static final Duration IDLE = Duration.ofMillis(300);

    @Test
    void dl4jsAsyncPrefetchHangsWhereTheBareIteratorFails() throws Exception {
        String name = Names.unique("dl4j-async");
        try (Ring ring = Ring.create(name, RingOptions.of(DType.FLOAT32, 3).capacity(16));
             RingWriter writer = ring.writer()) {
            for (int p = 0; p < 4; p++) {
                writer.write(new float[] {p, p, p}, p);
            }
            Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
            AtomicReference<Throwable> prefetchDied = new AtomicReference<>();
            Thread.setDefaultUncaughtExceptionHandler((thread, e) -> prefetchDied.set(e)); // DL4J's thread rethrows
            try (RingDataSetIterator iterator = RingDataSetIterator.builder(ring).labelColumns(1).batchSize(4)
                    .idleTimeout(IDLE).build()) {
                AsyncDataSetIterator async = new AsyncDataSetIterator(iterator, 2, true);
                AtomicReference<Object> second = new AtomicReference<>();
                Thread consumer = new Thread(() -> {
                    try {
                        async.hasNext();
                        async.next();               // the one batch there is
                        second.set(async.hasNext()); // waits for the prefetch thread, which times out meanwhile
                    } catch (RuntimeException e) {
                        second.set(e);
                    }
                }, "async-consumer");
                consumer.setDaemon(true);
                consumer.start();
                consumer.join(IDLE.multipliedBy(10).toMillis());
                boolean hung = consumer.isAlive();
                consumer.interrupt(); // take() is interruptible: the thread ends
                consumer.join(5_000);
                assertTrue(hung, "AsyncDataSetIterator.hasNext() returned " + second.get() + " after its prefetch thread"
                        + " failed: DL4J no longer hangs, so asyncSupported() could be reconsidered");
                assertTrue(prefetchDied.get() != null && prefetchDied.get().getCause() instanceof StreamTimeoutException,
                        "the prefetch thread should have died of the iterator's timeout: " + prefetchDied.get());
            } finally {
                Thread.setDefaultUncaughtExceptionHandler(previous);
            }
            writer.write(new float[] {4, 4, 4}, 4);
            try (RingDataSetIterator bare = RingDataSetIterator.builder(ring).labelColumns(1).batchSize(4)
                    .cursor("bare").idleTimeout(IDLE).build()) {
                assertEquals(4, bare.next().numExamples());
                long start = System.nanoTime();
                assertThrows(StreamTimeoutException.class, bare::next, "one sample and silence");
                assertTrue(System.nanoTime() - start < IDLE.multipliedBy(10).toNanos());
                assertFalse(bare.asyncSupported());
            }
        } finally {
            Ring.unlink(name);
        }
    }
}

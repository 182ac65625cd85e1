package io.arrowshm.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.InconsistentStreamException;
import io.arrowshm.StreamTimeoutException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

/** The retry logic of the device copy, with a scripted sequence in place of a live stream. */
class SeqlockedCopyTest {
    private static final Duration SECOND = Duration.ofSeconds(1);

    /** Returns the scripted values in order, then repeats the last one. */
    private static LongSupplier script(Long... values) {
        ArrayDeque<Long> queue = new ArrayDeque<>(List.of(values));
        return () -> queue.size() > 1 ? queue.poll() : queue.peek();
    }

    @Test
    void copiesOnceWhenNothingOverlaps() {
        AtomicInteger copies = new AtomicInteger();
        assertEquals(8, SeqlockedCopy.copy(script(8L), copies::incrementAndGet, SECOND, "s"));
        assertEquals(1, copies.get());
    }

    @Test
    void neverCopiesWhileAWriteIsOpen() {
        AtomicInteger reads = new AtomicInteger();
        LongSupplier odd3ThenEven = () -> reads.incrementAndGet() <= 3 ? 9 : 10;
        AtomicInteger copies = new AtomicInteger();

        long got = SeqlockedCopy.copy(odd3ThenEven, () -> {
            copies.incrementAndGet();
            assertTrue(reads.get() > 3, "copied during an odd sequence");
        }, SECOND, "s");

        assertEquals(10, got);
        assertEquals(1, copies.get());
    }

    @Test
    void retriesWhenAWriteOverlapsTheCopy() {
        // start 4, after copy 6 (overlap) -> start 6, after copy 6 (ok)
        AtomicInteger copies = new AtomicInteger();
        assertEquals(6, SeqlockedCopy.copy(script(4L, 6L, 6L, 6L), copies::incrementAndGet, SECOND, "s"));
        assertEquals(2, copies.get());
    }

    @Test
    void refusesAnInvalidPayload() {
        InconsistentStreamException e = assertThrows(InconsistentStreamException.class,
                () -> SeqlockedCopy.copy(script(-7L), () -> { }, SECOND, "frames"));
        assertTrue(e.getMessage().contains("'frames' holds an invalid payload"), e.getMessage());
    }

    @Test
    void givesUpWhenWritesKeepOverlapping() {
        AtomicLong sequence = new AtomicLong();
        StreamTimeoutException e = assertThrows(StreamTimeoutException.class,
                () -> SeqlockedCopy.copy(sequence::get, () -> sequence.addAndGet(2), Duration.ofMillis(20), "frames"));
        assertTrue(e.getMessage().contains("no consistent copy of 'frames'"), e.getMessage());
    }
}

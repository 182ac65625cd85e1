package io.arrowshm.internal.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.InconsistentStreamException;
import io.arrowshm.StreamTimeoutException;
import io.arrowshm.WaitStrategy;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The order of the seqlock's loads and stores, pinned on a recording header (spec §3.2, DESIGN's ordering rules). */
class SeqlockStoreOrderTest {
    private final RecordingHeaderWords words = new RecordingHeaderWords();
    private final SeqlockWriter writer = new SeqlockWriter(words);

    @Test
    void aWriteStoresOddThenPayloadThenCountersThenReleasesEven() {
        words.sequence = 4;
        words.count = 2;
        long odd = writer.beginWrite("s");
        words.payload();
        writer.endWrite(odd, 1.5, true, 9);
        assertEquals(List.of(
                "sequence plain-load 4",
                "sequence odd-store+storestore 5",
                "payload",
                "write_time store",
                "frame_id store 9",
                "count load 2",
                "count store 3",
                "sequence release-store 6"), words.log);
    }

    @Test
    void aWriteWithoutAFrameIdLeavesItAlone() {
        long odd = writer.beginWrite("s");
        writer.endWrite(odd, 1.5, false, 9);
        assertFalse(words.log.stream().anyMatch(e -> e.startsWith("frame_id")), words.log.toString());
        assertEquals(2, words.sequence);
    }

    @Test
    void anAbortedWriteReleasesANegativeSequenceAndKeepsTheCounters() {
        words.sequence = 6;
        words.count = 3;
        writer.beginWrite("s");
        writer.abortWrite();
        assertEquals(-7, words.sequence);
        assertEquals(3, words.count, "count stays");
        assertEquals("sequence release-store -7", words.log.get(words.log.size() - 1));
    }

    @Test
    void theNextWriteAfterAnAbortStartsAFreshGenerationAboveIt() {
        words.sequence = -7; // an aborted or invalidated odd generation
        assertEquals(9, writer.beginWrite("s"), "steps over -7's magnitude to the next odd");
        words.sequence = -8;
        assertEquals(9, writer.beginWrite("s"), "from -8 the next odd is 9");
        words.sequence = Long.MIN_VALUE;
        assertTrue(writer.beginWrite("s") > 0, "the most negative value still gives a positive odd");
    }

    @Test
    void beginningAWriteWhileOneIsOpenUnderTheLockIsRefusedWithoutAStore() {
        words.sequence = 11;
        IllegalStateException nested = assertThrows(IllegalStateException.class, () -> writer.beginWrite("s"));
        assertTrue(nested.getMessage().contains("write view"), nested.getMessage());
        assertEquals(List.of("sequence plain-load 11"), words.log, "nothing stored");
        assertEquals(11, words.sequence);
    }

    @Test
    void takingTheLockMarksADeadWritersOddSequenceInvalid() {
        words.sequence = 13;
        assertTrue(writer.invalidateIfAbandoned());
        assertEquals(-13, words.sequence);
        assertFalse(writer.invalidateIfAbandoned(), "already invalid");
        words.sequence = 14;
        assertFalse(writer.invalidateIfAbandoned(), "a stable sequence is left alone");
        assertEquals(14, words.sequence);
    }

    @Test
    void invalidatingAnObservedGenerationOnlyTouchesThatGeneration() {
        words.sequence = 15;
        assertFalse(writer.invalidateAbandoned(13), "a live writer moved on");
        assertEquals(15, words.sequence);
        assertTrue(writer.invalidateAbandoned(15));
        assertEquals(-15, words.sequence);
        assertTrue(writer.invalidateAbandoned(15), "already invalid counts as invalid");
    }

    @Test
    void aReaderUsesAcquireLoadsBeforeAndAfterItsCopy() {
        words.sequence = 8;
        SeqlockReader reader = reader(WaitStrategy.defaults());
        long start = reader.awaitStable(SeqlockReader.FOREVER);
        words.payload();
        assertTrue(reader.validate(start));
        assertEquals(List.of("sequence acquire-load 8", "payload", "sequence acquire-load 8"), words.log);
        words.sequence = 10;
        assertFalse(reader.validate(start), "a write in between fails validation");
    }

    @Test
    void aReaderRaisesAtOnceOnANegativeSequence() {
        words.sequence = -3;
        assertThrows(InconsistentStreamException.class, () -> reader(WaitStrategy.defaults())
                .awaitStable(SeqlockReader.FOREVER));
    }

    @Test
    void aReaderWaitingOnAnOddSequenceTimesOutAtItsDeadline() {
        words.sequence = 3;
        SeqlockReader reader = reader(new WaitStrategy() {
            @Override
            public void idle(int round, Parker parker) {
                parker.park(1_000_000);
            }

            @Override
            public boolean pastSpinning(int round) {
                return false; // never asks whether the writer died: this test has no lock file
            }
        });
        long started = System.nanoTime();
        assertThrows(StreamTimeoutException.class, () -> reader.awaitStable(System.nanoTime() + 50_000_000));
        assertTrue(System.nanoTime() - started < 5_000_000_000L);
    }

    @Test
    void aCountWaitReturnsTheCountAboveAfterOnceStable() {
        words.sequence = 6;
        words.count = 3;
        assertEquals(3, reader(WaitStrategy.defaults()).awaitCount(2, SeqlockReader.FOREVER, null));
        assertThrows(StreamTimeoutException.class,
                () -> reader(WaitStrategy.defaults()).awaitCount(3, System.nanoTime(), null));
    }

    private SeqlockReader reader(WaitStrategy strategy) {
        OperationGuard guard = new OperationGuard("s", () -> { });
        return new SeqlockReader(words, strategy, 0, null, guard, "s");
    }
}

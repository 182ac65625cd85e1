package io.arrowshm.benchmarks.throughput;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Deque;
import org.junit.jupiter.api.Test;

/** The readers' checks catch each way a transport can fail a lossless stream; the writer ends with a stop frame. */
class TrafficTest {
    private static final FrameSize SIZE = FrameSize.SMALL;

    @Test
    void aStampedFramePassesAndTheStopFrameIsRecognised() {
        ByteBuffer frame = Traffic.frame(SIZE);
        FrameStamp.stamp(frame, 41, false);
        assertNull(FrameStamp.check(frame, 41));
        assertEquals(false, FrameStamp.stop(frame));
        FrameStamp.stamp(frame, 42, true);
        assertTrue(FrameStamp.stop(frame));
    }

    @Test
    void skippedRepeatedAndTornFramesAreNamed() {
        ByteBuffer frame = Traffic.frame(SIZE);
        FrameStamp.stamp(frame, 7, false);
        assertTrue(FrameStamp.check(frame, 6).contains("skipped, repeated or reordered"), "frame 6 never came");
        assertTrue(FrameStamp.check(frame, 8).contains("skipped, repeated or reordered"), "frame 7 came twice");
        frame.putInt(SIZE.bytes() - 4, 0);
        assertTrue(FrameStamp.check(frame, 7).contains("torn"), FrameStamp.check(frame, 7));
    }

    @Test
    void aReaderCountsEveryFrameUpToTheStopFrame() {
        Deque<ByteBuffer> sent = new ArrayDeque<>();
        Traffic.WriterReport wrote = Traffic.write(frame -> sent.add(copy(frame)), Traffic.frame(SIZE),
                new Traffic.Plan(1_000_000, 500, 1_000_000, 10));
        assertTrue(wrote.warmupFrames() >= 500, "at least the plan's warm-up frames, however short its warm-up time");
        assertTrue(wrote.frames() >= 10, "at least the plan's least number of measured frames");
        assertEquals(wrote.warmupFrames() + wrote.frames() + 1, sent.size(), "every frame, then the stop frame");
        Traffic.ReaderReport read = Traffic.read(target -> {
            target.put(0, sent.poll(), 0, SIZE.bytes());
            return -1;
        }, Traffic.frame(SIZE));
        assertEquals(wrote.warmupFrames() + wrote.frames(), read.frames());
    }

    @Test
    void aReaderStopsAtTheFirstWrongFrameOrPosition() {
        ByteBuffer frame = Traffic.frame(SIZE);
        long[] next = {0};
        IllegalStateException skipped = assertThrows(IllegalStateException.class, () -> Traffic.read(target -> {
            FrameStamp.stamp(target, next[0] == 3 ? 4 : next[0], false);
            return next[0]++;
        }, frame));
        assertTrue(skipped.getMessage().contains("expected frame 3"), skipped.getMessage());
        IllegalStateException position = assertThrows(IllegalStateException.class, () -> Traffic.read(target -> {
            FrameStamp.stamp(target, 0, false);
            return 5;
        }, frame));
        assertTrue(position.getMessage().contains("expected position 0"), position.getMessage());
    }

    @Test
    void agronasBufferIsAPowerOfTwoThatHoldsTheLargestFrame() {
        for (FrameSize size : FrameSize.values()) {
            int capacity = AgronaThroughputPeer.capacity(size);
            assertEquals(Integer.bitCount(capacity), 1, size + ": " + capacity);
            assertTrue(capacity / 8 >= size.bytes(), size + ": Agrona's largest message is an eighth of " + capacity);
            assertTrue(capacity >= (long) size.slots() * size.bytes(), size + ": at least the ring's slots");
        }
    }

    private static ByteBuffer copy(ByteBuffer frame) {
        ByteBuffer copy = ByteBuffer.allocate(frame.capacity());
        copy.put(0, frame, 0, frame.capacity());
        return copy;
    }
}

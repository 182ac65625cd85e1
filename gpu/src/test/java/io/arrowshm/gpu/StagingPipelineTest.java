package io.arrowshm.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The pinned staging's chunking and double buffering, with {@link HostMemoryEngine} standing
 * in for CUDA: bytes land intact across chunk boundaries both ways, the host copy of one chunk
 * overlaps the DMA of the previous one and never touches a buffer in flight, failures wait
 * for the DMAs in flight before they propagate, and close waits for a copy in progress.
 */
@Timeout(60)
class StagingPipelineTest {
    static final int CHUNK = 16 * 1024;
    static final int PAYLOAD = 5 * CHUNK - 3;

    private HostMemoryEngine engine;
    private final AtomicInteger opened = new AtomicInteger();

    private StagingPipeline pipeline(long payload, long chunk) {
        return pipeline(payload, chunk, null);
    }

    private StagingPipeline pipeline(long payload, long chunk, StagingPipeline.HostCopy wrapped) {
        StagingPipeline[] made = new StagingPipeline[1];
        made[0] = new StagingPipeline("frames", payload, chunk, bytes -> {
            opened.incrementAndGet();
            engine = new HostMemoryEngine(payload, bytes);
            return engine;
        }, (source, target, bytes) -> {
            if (wrapped != null) {
                wrapped.copy(source, target, bytes);
            }
            engine.hostCopy().copy(source, target, bytes);
        });
        return made[0];
    }

    private static ByteBuffer pattern(int bytes, int seed) {
        ByteBuffer b = ByteBuffer.allocateDirect(bytes);
        for (int i = 0; i < bytes; i++) {
            b.put(i, (byte) (i * 31 + seed * 7 + (i >>> 9)));
        }
        return b;
    }

    private static byte[] array(ByteBuffer b, int from, int to) {
        byte[] out = new byte[to - from];
        b.get(from, out);
        return out;
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {1, 4095, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 17, PAYLOAD})
    void uploadsLandIntactAcrossChunkBoundaries(int bytes) {
        try (StagingPipeline p = pipeline(PAYLOAD, CHUNK)) {
            ByteBuffer source = pattern(bytes, 1);
            p.upload(HostMemoryEngine.address(source), bytes);

            assertArrayEquals(array(source, 0, bytes), array(engine.device, 0, bytes));
            assertArrayEquals(new byte[PAYLOAD - bytes], array(engine.device, bytes, PAYLOAD), "past the copy");
            assertTrue(engine.idle(), "complete on return: " + engine.log);
        }
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {1, 4095, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 17, PAYLOAD})
    void downloadsLandIntactAcrossChunkBoundaries(int bytes) {
        try (StagingPipeline p = pipeline(PAYLOAD, CHUNK)) {
            p.upload(HostMemoryEngine.address(pattern(PAYLOAD, 2)), PAYLOAD);
            ByteBuffer target = ByteBuffer.allocateDirect(PAYLOAD);
            p.download(HostMemoryEngine.address(target), bytes);

            assertArrayEquals(array(pattern(PAYLOAD, 2), 0, bytes), array(target, 0, bytes));
            assertArrayEquals(new byte[PAYLOAD - bytes], array(target, bytes, PAYLOAD), "past the copy");
            assertTrue(engine.idle(), "complete on return: " + engine.log);
        }
    }

    @Test
    void theHostCopyOfAChunkOverlapsTheDmaOfThePreviousOne() {
        try (StagingPipeline p = pipeline(4 * CHUNK, CHUNK)) {
            p.upload(HostMemoryEngine.address(pattern(4 * CHUNK, 3)), 4 * CHUNK);

            assertEquals(List.of(
                    "copy to 0 16384", "upload 0 @0 16384",
                    "copy to 1 16384", "upload 1 @16384 16384",       // while chunk 0 is in flight
                    "await 0", "copy to 0 16384", "upload 0 @32768 16384",
                    "await 1", "copy to 1 16384", "upload 1 @49152 16384",
                    "await 0", "await 1"), engine.log);
        }
    }

    @Test
    void theDmaOfTheNextChunkOverlapsTheHostCopyOutOfThePreviousOne() {
        try (StagingPipeline p = pipeline(4 * CHUNK, CHUNK)) {
            p.upload(HostMemoryEngine.address(pattern(4 * CHUNK, 3)), 4 * CHUNK);
            engine.log.clear();
            p.download(HostMemoryEngine.address(ByteBuffer.allocateDirect(4 * CHUNK)), 4 * CHUNK);

            assertEquals(List.of(
                    "download 0 @0 16384", "download 1 @16384 16384",
                    "await 0", "copy from 0 16384", "download 0 @32768 16384",   // chunk 1 still in flight
                    "await 1", "copy from 1 16384", "download 1 @49152 16384",
                    "await 0", "copy from 0 16384",
                    "await 1", "copy from 1 16384"), engine.log);
        }
    }

    @Test
    void aFaultingHostCopyWaitsForTheDmaInFlightPropagatesAndLeavesThePipelineUsable() {
        AtomicInteger copies = new AtomicInteger();
        InternalError fault = new InternalError("a fault occurred in an unsafe memory access");
        try (StagingPipeline p = pipeline(PAYLOAD, CHUNK, (s, t, n) -> {
            if (copies.incrementAndGet() == 3) {
                throw fault;   // what HostMemory.copy throws from a truncated segment
            }
        })) {
            ByteBuffer source = pattern(PAYLOAD, 4);
            InternalError thrown = assertThrows(InternalError.class,
                    () -> p.upload(HostMemoryEngine.address(source), PAYLOAD));

            assertSame(fault, thrown);
            assertTrue(engine.idle(), "the DMA of chunk 1 was awaited before the fault propagated: " + engine.log);
            assertEquals("await 1", engine.log.get(engine.log.size() - 1));
            p.upload(HostMemoryEngine.address(source), PAYLOAD);
            assertArrayEquals(array(source, 0, PAYLOAD), array(engine.device, 0, PAYLOAD));
        }
    }

    @Test
    void aFaultInADownloadsHostCopyWaitsForTheDmasInFlight() {
        AtomicInteger copies = new AtomicInteger();
        try (StagingPipeline p = pipeline(PAYLOAD, CHUNK, (s, t, n) -> {
            if (copies.incrementAndGet() == 1) {
                throw new InternalError("fault");
            }
        })) {
            assertThrows(InternalError.class,
                    () -> p.download(HostMemoryEngine.address(ByteBuffer.allocateDirect(PAYLOAD)), PAYLOAD));
            assertTrue(engine.idle(), engine.log::toString);
        }
    }

    @Test
    void aFailedDmaStartWaitsForTheOtherBufferAndPropagates() {
        try (StagingPipeline p = pipeline(PAYLOAD, CHUNK)) {
            p.upload(HostMemoryEngine.address(pattern(1, 0)), 1); // opens the engine
            engine.failOn = "upload 1";
            ByteBuffer source = pattern(PAYLOAD, 5);
            RuntimeException e = assertThrows(RuntimeException.class,
                    () -> p.upload(HostMemoryEngine.address(source), PAYLOAD));

            assertSame(engine.failure, e);
            assertTrue(engine.idle(), engine.log::toString);
            engine.failOn = null;
            p.upload(HostMemoryEngine.address(source), PAYLOAD);
            assertArrayEquals(array(source, 0, PAYLOAD), array(engine.device, 0, PAYLOAD));
        }
    }

    @Test
    void aFailedWaitBreaksThePipelineAndLaterCopiesSaySo() {
        StagingPipeline p = pipeline(PAYLOAD, CHUNK);
        p.upload(HostMemoryEngine.address(pattern(1, 0)), 1);
        engine.failOn = "await 0";
        assertThrows(IllegalStateException.class, () -> p.upload(HostMemoryEngine.address(pattern(PAYLOAD, 6)),
                PAYLOAD));
        engine.failOn = null;

        IllegalStateException later = assertThrows(IllegalStateException.class,
                () -> p.download(HostMemoryEngine.address(ByteBuffer.allocateDirect(PAYLOAD)), PAYLOAD));
        assertTrue(later.getMessage().contains("failed earlier"), later.getMessage());
        assertSame(engine.failure, later.getCause());
        p.close(); // the device may still be copying into them: a broken pipeline keeps its buffers
        assertFalse(engine.log.contains("release"), engine.log.toString());
        assertThrows(IllegalStateException.class, () -> p.upload(1, 1));
    }

    @Test
    void nothingIsPinnedBeforeTheFirstCopyAndSmallPayloadsPinLess() {
        StagingPipeline small = pipeline(5000, CHUNK);
        assertEquals(8192, small.bufferBytes(), "5000 bytes round up to two pages, not a whole chunk");
        small.upload(0, 0);
        assertEquals(0, opened.get(), "an empty copy pins nothing");
        small.close();
        assertEquals(0, opened.get(), "closing an unused pipeline pins nothing");

        StagingPipeline large = pipeline(PAYLOAD, CHUNK);
        assertEquals(CHUNK, large.bufferBytes());
        large.upload(HostMemoryEngine.address(pattern(10, 0)), 10);
        large.download(HostMemoryEngine.address(ByteBuffer.allocateDirect(10)), 10);
        assertEquals(1, opened.get(), "pinned once, on the first copy");
        large.close();
    }

    @Test
    void aFailedPinningLeavesNothingAndTheNextCopyTriesAgain() {
        AtomicInteger attempts = new AtomicInteger();
        AtomicReference<HostMemoryEngine> made = new AtomicReference<>();
        StagingPipeline p = new StagingPipeline("frames", PAYLOAD, CHUNK, bytes -> {
            if (attempts.incrementAndGet() == 1) {
                throw new IllegalStateException("cuMemHostAlloc failed with CUDA_ERROR_OUT_OF_MEMORY");
            }
            made.set(new HostMemoryEngine(PAYLOAD, bytes));
            return made.get();
        }, (s, t, n) -> made.get().hostCopy().copy(s, t, n));
        ByteBuffer source = pattern(PAYLOAD, 7);

        assertThrows(IllegalStateException.class, () -> p.upload(HostMemoryEngine.address(source), PAYLOAD));
        p.upload(HostMemoryEngine.address(source), PAYLOAD);

        assertArrayEquals(array(source, 0, PAYLOAD), array(made.get().device, 0, PAYLOAD));
        p.close();
    }

    @Test
    void badSizesAreRefusedBeforeAnythingIsPinned() {
        try (StagingPipeline p = pipeline(PAYLOAD, CHUNK)) {
            assertThrows(IllegalArgumentException.class, () -> p.upload(1, PAYLOAD + 1));
            assertThrows(IllegalArgumentException.class, () -> p.download(1, -1));
            assertEquals(0, opened.get());
        }
        assertThrows(IllegalArgumentException.class, () -> pipeline(0, CHUNK));
        assertThrows(IllegalArgumentException.class, () -> pipeline(PAYLOAD, 0));
    }

    @Test
    void closeTwiceIsHarmlessAndCopiesAfterCloseAreRefused() {
        StagingPipeline p = pipeline(PAYLOAD, CHUNK);
        p.upload(HostMemoryEngine.address(pattern(PAYLOAD, 8)), PAYLOAD);
        p.close();
        p.close(); // the engine fails on a second release

        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> p.upload(HostMemoryEngine.address(pattern(PAYLOAD, 8)), PAYLOAD));
        assertTrue(e.getMessage().contains("'frames' is closed"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> p.download(HostMemoryEngine.address(pattern(1, 0)), 1));
        assertEquals(1, engine.log.stream().filter("release"::equals).count());
    }

    @Test
    void closeDuringACopyWaitsForItThenFreesTheBuffers() throws Exception {
        CountDownLatch inCopy = new CountDownLatch(1);
        CountDownLatch letGo = new CountDownLatch(1);
        AtomicInteger copies = new AtomicInteger();
        StagingPipeline p = pipeline(PAYLOAD, CHUNK, (s, t, n) -> {
            if (copies.incrementAndGet() == 2) {   // the second chunk, while the first is in flight
                inCopy.countDown();
                await(letGo);
            }
        });
        ByteBuffer source = pattern(PAYLOAD, 9);
        AtomicReference<Throwable> writer = new AtomicReference<>();
        Thread write = new Thread(() -> {
            try {
                p.upload(HostMemoryEngine.address(source), PAYLOAD);
            } catch (Throwable t) {
                writer.set(t);
            }
        });
        write.start();
        assertTrue(inCopy.await(10, TimeUnit.SECONDS));
        Thread close = new Thread(p::close);
        close.start();
        close.join(300);
        assertTrue(close.isAlive(), "close must wait for the copy in progress");
        assertFalse(engine.released);

        letGo.countDown();
        close.join(10_000);
        write.join(10_000);

        assertFalse(close.isAlive());
        assertEquals(null, writer.get(), "the copy in progress finished");
        assertArrayEquals(array(source, 0, PAYLOAD), array(engine.device, 0, PAYLOAD));
        assertEquals("release", engine.log.get(engine.log.size() - 1), "freed after the copy: " + engine.log);
        assertThrows(IllegalStateException.class, () -> p.upload(HostMemoryEngine.address(source), PAYLOAD));
    }

    @Test
    void copiesFromManyThreadsNeverMixTwoFrames() throws Exception {
        try (StagingPipeline p = pipeline(PAYLOAD, CHUNK)) {
            List<ByteBuffer> frames = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                frames.add(pattern(PAYLOAD, 20 + t));
            }
            List<Thread> threads = new ArrayList<>();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            for (ByteBuffer frame : frames) {
                Thread thread = new Thread(() -> {
                    try {
                        ByteBuffer back = ByteBuffer.allocateDirect(PAYLOAD);
                        for (int i = 0; i < 30; i++) {
                            p.upload(HostMemoryEngine.address(frame), PAYLOAD);
                            p.download(HostMemoryEngine.address(back), PAYLOAD);
                        }
                    } catch (Throwable t) {
                        failure.compareAndSet(null, t);
                    }
                });
                threads.add(thread);
                thread.start();
            }
            for (Thread thread : threads) {
                thread.join();
            }
            assertEquals(null, failure.get());
            byte[] device = array(engine.device, 0, PAYLOAD);
            assertTrue(frames.stream().anyMatch(f -> java.util.Arrays.equals(array(f, 0, PAYLOAD), device)),
                    "the device holds one whole frame");
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

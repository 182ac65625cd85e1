package io.arrowshm.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.CursorOptions;
import io.arrowshm.DType;
import io.arrowshm.Overflow;
import io.arrowshm.Ring;
import io.arrowshm.RingFrame;
import io.arrowshm.RingOptions;
import io.arrowshm.RingReader;
import io.arrowshm.RingWriter;
import io.arrowshm.StreamTimeoutException;
import io.arrowshm.testing.Names;
import io.arrowshm.testing.PeerProcess;
import io.arrowshm.testing.RingFrames;
import io.arrowshm.testing.RingPeer;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Ring writers and readers SIGKILLed: a writer killed anywhere never gives a reader a torn frame
 * or a position that goes backwards, and the next writer goes on; a reader killed while the
 * writer waits for it holds the writer back for its grace only, and a reader restarted under
 * the same cursor name resumes exactly (0 lost within the grace, the exact count after it).
 */
class RingKillTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** 1 MiB frames: a copy takes long enough that random kills land inside it. */
    private static final int FRAME_BYTES = 1 << 20;
    private final String name = Names.unique("ring-kill");

    @AfterEach
    void removeRing() {
        Ring.unlink(name);
    }

    @Test
    void writersKilledAtRandomPointsNeverTearAFrame() throws Exception {
        int kills = Scale.pick(50, 1000);
        long seed = System.nanoTime();
        Random random = new Random(seed);
        try (Ring ring = Ring.create(name, RingOptions.of(DType.UINT8, FRAME_BYTES).capacity(8).overflow(Overflow.BLOCK))) {
            Checker checker = new Checker(ring);
            checker.start();
            long before = 0;
            try {
                for (int kill = 0; kill < kills; kill++) {
                    try (PeerProcess writer = PeerProcess.java(RingPeer.class, "write-loop", name)) {
                        writer.await("writing", TIMEOUT);
                        Thread.sleep(random.nextInt(30));
                        writer.kill();
                    }
                    long after = ring.writePosition();
                    assertTrue(after >= before, "write_position went backwards: " + before + " -> " + after);
                    before = after;
                }
                // The next writer recovers whatever the last kill left, and goes on.
                try (RingWriter writer = ring.writer(Duration.ofSeconds(10))) {
                    assertTrue(writer.position() >= before);
                    byte[] frame = new byte[FRAME_BYTES];
                    RingFrames.fill(frame, writer.position());
                    writer.write(frame, writer.position(), Duration.ofSeconds(10));
                }
                checker.awaitPosition(ring.writePosition(), TIMEOUT);
            } finally {
                checker.stop();
            }
            assertEquals(0, checker.torn.get(), "torn frames (seed " + seed + ")");
            assertEquals(0, checker.backwards.get(), "positions backwards (seed " + seed + ")");
            assertEquals(0, checker.lost.get(), "a blocking cursor lost frames (seed " + seed + ")");
            assertEquals(ring.writePosition(), checker.delivered.get() + checker.abandoned.get(),
                    "every position was delivered or abandoned (seed " + seed + ")");
            System.out.printf("ring writers killed: %d kills, %d frames delivered, %d positions abandoned%n",
                    kills, checker.delivered.get(), checker.abandoned.get());
        }
    }

    @Test
    void aWriterKilledInsideASlotLeavesItAbandonedAndTheNextWriterGoesOn() throws Exception {
        try (Ring ring = Ring.create(name, RingOptions.of(DType.UINT8, 4096).capacity(4));
             RingReader reader = ring.reader("r")) {
            try (PeerProcess writer = PeerProcess.java(RingPeer.class, "pause-in-write", name)) {
                assertEquals("paused 0", writer.nextLine(TIMEOUT));
                assertEquals(0, ring.writePosition());
                assertThrows(reader, Duration.ofMillis(50), "an odd slot is never delivered");
                writer.kill();
            }
            assertThrows(reader, Duration.ofMillis(50), "a dead writer's slot is not delivered before recovery");
            try (RingWriter next = ring.writer(Duration.ofSeconds(10))) {
                assertEquals(1, next.position(), "the dead writer's position is abandoned");
                byte[] frame = new byte[4096];
                RingFrames.fill(frame, 1);
                next.write(frame, 1);
            }
            try (RingFrame f = reader.take(Duration.ofSeconds(5))) {
                assertEquals(1, f.position());
                assertTrue(RingFrames.check(f.buffer(), 4096, 1));
            }
            assertEquals(1, reader.abandoned());
            assertEquals(0, reader.lost());
        }
    }

    @Test
    void aKilledReaderHoldsTheWriterForItsGraceAndResumesByName() throws Exception {
        long grace = 3_000;
        try (Ring ring = Ring.create(name, RingOptions.of(DType.UINT8, 256).capacity(8));
             RingWriter writer = ring.writer()) {
            byte[] frame = new byte[256];
            PeerProcess reader = PeerProcess.java(RingPeer.class, "read-then-hold", name, "trainer", "3",
                    Long.toString(grace));
            assertEquals("ready 0", reader.nextLine(TIMEOUT));
            for (long p = 0; p < 11; p++) { // 3 read, then 8 fill the ring
                RingFrames.fill(frame, p);
                writer.write(frame, p, Duration.ofSeconds(30));
            }
            assertTrue(reader.nextLine(TIMEOUT).startsWith("holding 3 "));
            RingFrames.fill(frame, 11);
            assertThrowsTimeout(() -> writer.write(frame, 11, Duration.ofMillis(200)), "full: the live reader holds it");
            reader.kill();
            // Restarted at once, well within the grace: it resumes at 3, nothing lost.
            PeerProcess restarted = PeerProcess.java(RingPeer.class, "read", name, "trainer", "100", "3000", "0",
                    "true", Long.toString(grace));
            assertEquals("ready 3", restarted.nextLine(TIMEOUT));
            for (long p = 11; p < 40; p++) {
                RingFrames.fill(frame, p);
                writer.write(frame, p, Duration.ofSeconds(30));
            }
            var seen = summaryOf(restarted.finish(TIMEOUT).get(0));
            assertEquals(37, seen.get("read"), seen.toString()); // positions 3..39
            assertEquals(0, seen.get("lost") + seen.get("gaps") + seen.get("torn") + seen.get("backwards"), seen.toString());

            // Killed while the writer waits on it: the writer resumes when the grace ends.
            PeerProcess holder = PeerProcess.java(RingPeer.class, "read-then-hold", name, "trainer", "0",
                    Long.toString(grace));
            assertEquals("ready 40", holder.nextLine(TIMEOUT));
            assertTrue(holder.nextLine(TIMEOUT).startsWith("holding 40 "));
            for (long p = 40; p < 48; p++) {
                RingFrames.fill(frame, p);
                writer.write(frame, p, Duration.ofSeconds(30));
            }
            AtomicLong waitedMillis = new AtomicLong();
            Thread blocked = new Thread(() -> {
                long start = System.nanoTime();
                RingFrames.fill(frame, 48);
                writer.write(frame, 48, Duration.ofSeconds(30));
                waitedMillis.set((System.nanoTime() - start) / 1_000_000);
            });
            blocked.start();
            Thread.sleep(300);
            assertTrue(blocked.isAlive(), "the writer waits for the live reader");
            long killedAt = System.nanoTime();
            holder.kill();
            blocked.join(30_000);
            long sinceKill = (System.nanoTime() - killedAt) / 1_000_000;
            assertTrue(sinceKill >= grace - 200 && sinceKill < grace + 3_000,
                    "the writer resumed " + sinceKill + " ms after the kill (grace " + grace + " ms)");
            for (long p = 49; p < 60; p++) {
                RingFrames.fill(frame, p);
                writer.write(frame, p, Duration.ofSeconds(30));
            }
            // Restarted after the grace: it learns exactly what it lost (positions 40..51 were overwritten).
            try (RingReader late = ring.reader("trainer"); RingFrame f = late.take(Duration.ofSeconds(5))) {
                assertEquals(52, f.position(), "the oldest retained frame");
                assertEquals(12, f.lost());
                assertEquals(12, late.lost());
                assertTrue(RingFrames.check(f.buffer(), 256, 52));
            }
        }
    }

    private static java.util.Map<String, Long> summaryOf(String line) {
        String[] words = line.substring(line.indexOf("read ")).split(" ");
        java.util.Map<String, Long> fields = new java.util.HashMap<>();
        for (int i = 0; i + 1 < words.length; i += 2) {
            fields.put(words[i], Long.parseLong(words[i + 1]));
        }
        return fields;
    }

    private static void assertThrows(RingReader reader, Duration wait, String why) {
        assertThrowsTimeout(() -> reader.take(wait).close(), why);
    }

    private static void assertThrowsTimeout(Runnable action, String why) {
        try {
            action.run();
        } catch (StreamTimeoutException expected) {
            return;
        }
        throw new AssertionError("expected a timeout: " + why);
    }

    /** A blocking cursor in this JVM, checking every frame while writers come and die. */
    private static final class Checker implements Runnable {
        final AtomicLong delivered = new AtomicLong();
        final AtomicLong torn = new AtomicLong();
        final AtomicLong backwards = new AtomicLong();
        final AtomicLong lost = new AtomicLong();
        final AtomicLong abandoned = new AtomicLong();
        private final AtomicLong position = new AtomicLong();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final RingReader reader;
        private final Thread thread = new Thread(this, "ring-kill-checker");

        Checker(Ring ring) {
            this.reader = ring.reader("checker", CursorOptions.defaults());
        }

        void start() {
            thread.start();
        }

        void awaitPosition(long target, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (position.get() < target && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(target, position.get(), "the checker caught up");
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join(30_000);
            reader.close();
            assertTrue(!thread.isAlive(), "the checker hung");
            if (failure.get() != null) {
                throw new AssertionError("checker failed", failure.get());
            }
        }

        @Override
        public void run() {
            long last = -1;
            try {
                while (running.get()) {
                    try (RingFrame f = reader.take(Duration.ofMillis(20))) {
                        long p = f.position();
                        if (p <= last) {
                            backwards.incrementAndGet();
                        }
                        last = p;
                        delivered.incrementAndGet();
                        if (!RingFrames.check(f.buffer(), FRAME_BYTES, p) || f.frameId() != p) {
                            torn.incrementAndGet();
                        }
                    } catch (StreamTimeoutException idle) {
                        // no writer right now
                    }
                    lost.set(reader.lost());
                    abandoned.set(reader.abandoned());
                    position.set(reader.position());
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        }
    }
}

package io.arrowshm.interop.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.CursorInfo;
import io.arrowshm.CursorOptions;
import io.arrowshm.DType;
import io.arrowshm.Overflow;
import io.arrowshm.Ring;
import io.arrowshm.RingFrame;
import io.arrowshm.RingLease;
import io.arrowshm.RingOptions;
import io.arrowshm.RingReader;
import io.arrowshm.RingWriter;
import io.arrowshm.StreamTimeoutException;
import io.arrowshm.interop.suite.RingInteropFrames.Kind;
import io.arrowshm.testing.PeerProcess;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Writers and readers of one ring SIGKILLed across the language boundary: a torn frame never
 * reaches a reader of the other language, the next writer (of either language) goes on from the
 * position the dead one left, and a dead Python reader holds a Java writer back only for its
 * grace, then resumes by name with exact loss counts.
 */
class RingKillInteropTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Duration IDLE = Duration.ofSeconds(8);
    private static final int ROUNDS = 10;
    /** 1 MiB frames, filled inside the write: most kills land mid-write. */
    private static final long[] SHAPE = {512, 512};

    @RegisterExtension
    final TestStreams rings = new TestStreams();

    @DisplayName("Python writers SIGKILLed at random points, Java writers going on after them: the Java reader never gets a torn frame")
    @ParameterizedTest(name = "{0}")
    @EnumSource(Overflow.class)
    void pythonWritersKilledUnderAJavaReader(Overflow overflow) throws Exception {
        String name = rings.name("kill-py-" + overflow);
        try (Ring ring = Ring.create(name, RingOptions.of(DType.UINT32, SHAPE).capacity(8).overflow(overflow))) {
            RingInteropFrames frames = new RingInteropFrames(Kind.UNIFORM, DType.UINT32, ring.size());
            // delivered, torn or misplaced, out of order, last position
            AtomicLongArray seen = new AtomicLongArray(new long[] {0, 0, 0, -1});
            try (RingReader reader = ring.reader("java-checker")) {
                Thread checker = new Thread(() -> check(reader, frames, seen, overflow == Overflow.BLOCK), "ring-checker");
                checker.start();
                long halfWritten = 0;
                for (int round = 0; round < ROUNDS; round++) {
                    try (PythonRingPeer writer = PythonRingPeer.start("write-forever", name, "uniform")) {
                        writer.ready();
                        TimeUnit.MILLISECONDS.sleep(ThreadLocalRandom.current().nextLong(5, 60));
                        writer.kill();
                    }
                    halfWritten += PythonRingPeer.run("stamp", name).getLong("half_written");
                    if (round % 2 == 1) { // a Java writer recovers what the Python one left, and goes on
                        try (RingWriter writer = ring.writer(Duration.ofSeconds(10))) {
                            for (int k = 0; k < 5; k++) {
                                writer.write(frames.frame(writer.position()), writer.position(), WAIT);
                            }
                        }
                    }
                }
                long before = ring.writePosition();
                assertEquals(before + 20, PythonRingPeer.run("write", name, "20", "uniform").getLong("next"));
                checker.join(WAIT.toMillis());
                long last = ring.writePosition();
                assertEquals(0, seen.get(1), "torn or misplaced frames reached the Java reader");
                assertEquals(0, seen.get(2), "positions out of order");
                assertEquals(last, reader.position());
                assertEquals(last, seen.get(0) + reader.lost() + reader.abandoned(),
                        "every position delivered, lost or abandoned, once");
                if (overflow == Overflow.BLOCK) { // the writer mostly waits for the reader: kills land anywhere
                    assertEquals(0, reader.lost());
                    assertEquals(halfWritten, reader.abandoned(), "each half-written position is skipped as abandoned");
                } else { // the writer never waits: most kills land inside a write
                    assertTrue(halfWritten >= 1, "no kill landed inside a write in " + ROUNDS + " rounds");
                    assertTrue(reader.abandoned() <= halfWritten);
                }
            }
        }
    }

    /** Reads until IDLE passes without a frame; BLOCK readers lease (the writer waits on them). */
    private static void check(RingReader reader, RingInteropFrames frames, AtomicLongArray seen, boolean lease) {
        while (true) {
            try {
                long position;
                boolean ok;
                if (lease) {
                    try (RingLease view = reader.lease(IDLE)) {
                        position = view.position();
                        ok = view.frameId() == position && frames.holds(view.buffer(), 0, position) && view.valid();
                    }
                } else {
                    try (RingFrame frame = reader.take(IDLE)) {
                        position = frame.position();
                        ok = frame.frameId() == position && frames.holds(frame.buffer(), 0, position);
                    }
                }
                if (!ok) {
                    seen.incrementAndGet(1);
                }
                if (position <= seen.get(3)) {
                    seen.incrementAndGet(2);
                }
                seen.set(3, position);
                seen.incrementAndGet(0);
            } catch (StreamTimeoutException e) {
                return;
            }
        }
    }

    @Test
    @DisplayName("A Python writer SIGKILLed inside a write (by itself, half the slot filled): the Java reader never sees that position, and a Java writer abandons it and goes on")
    void pythonWriterKilledInsideAWrite() {
        String name = rings.name("kill-inside");
        try (Ring ring = Ring.create(name, RingOptions.of(DType.UINT32, 1024).capacity(4));
             RingReader reader = ring.reader("java")) {
            RingInteropFrames frames = new RingInteropFrames(Kind.UNIFORM, DType.UINT32, ring.size());
            PythonRingPeer.run("write", name, "1", "uniform");
            try (PythonRingPeer dying = PythonRingPeer.start("die-in-write", name)) {
                dying.ready();
                assertEquals(128 + 9, dying.waitFor(), "killed by SIGKILL");
            }
            assertEquals(1, PythonRingPeer.run("stamp", name).getLong("half_written"));
            try (RingFrame frame = reader.take(WAIT)) {
                assertEquals(0, frame.position());
            }
            assertThrows(StreamTimeoutException.class, () -> reader.take(Duration.ofMillis(100)),
                    "the half-written position 1 is never handed out");
            try (RingWriter writer = ring.writer()) {
                assertEquals(2, writer.position(), "the Java writer abandoned position 1");
                writer.write(frames.frame(2), 2);
            }
            try (RingFrame frame = reader.take(WAIT)) {
                assertEquals(2, frame.position());
                assertEquals(0, frame.lost());
                assertTrue(frames.holds(frame.buffer(), 0, 2));
            }
            assertEquals(1, reader.abandoned());
        }
    }

    @DisplayName("Java writers (child JVMs) SIGKILLed at random points, Python writers going on after them: the Python reader never gets a torn frame")
    @ParameterizedTest(name = "{0}")
    @EnumSource(Overflow.class)
    void javaWritersKilledUnderAPythonReader(Overflow overflow) throws Exception {
        String name = rings.name("kill-java-" + overflow);
        try (Ring ring = Ring.create(name, RingOptions.of(DType.UINT32, SHAPE).capacity(8).overflow(overflow));
             PythonRingPeer reader = PythonRingPeer.start("read", name, "python-checker", "1000000000", "uniform",
                     "oldest", String.valueOf(IDLE.toSeconds() + 4), "5", overflow == Overflow.BLOCK ? "lease" : "take")) {
            reader.ready();
            for (int round = 0; round < ROUNDS / 2; round++) {
                try (PeerProcess writer = PeerProcess.java(JavaRingWriterPeer.class, "write-forever", name, "uniform")) {
                    writer.await("ready " + ring.writePosition(), WAIT);
                    TimeUnit.MILLISECONDS.sleep(ThreadLocalRandom.current().nextLong(5, 60));
                    writer.kill();
                }
                // a Python writer recovers what the Java one left, and goes on
                PythonRingPeer.run("write", name, "5", "uniform");
            }
            try (PeerProcess last = PeerProcess.java(JavaRingWriterPeer.class, "write", name, "20", "uniform")) {
                last.finish(WAIT);
            }
            Reply got = reader.finish();
            long end = ring.writePosition();
            assertEquals(0, got.getLong("bad"), "torn or misplaced frames reached the Python reader: " + got.line());
            assertEquals("True", got.get("exact"), got.line());
            assertEquals(end, got.getLong("position"), got.line());
            assertEquals(end, got.getLong("frames") + got.getLong("lost") + got.getLong("abandoned"), got.line());
            if (overflow == Overflow.BLOCK) {
                assertEquals(0, got.getLong("lost"), got.line());
            }
        }
    }

    @Test
    @DisplayName("A Python reader SIGKILLed while a Java writer blocks on it: the writer waits out its grace, and the reader resumes by name (within the grace: nothing lost; later: exactly what it missed)")
    void pythonReaderKilledUnderABlockedJavaWriter() throws Exception {
        String name = rings.name("kill-reader");
        Duration grace = Duration.ofMillis(1500);
        String graceSeconds = "1.5";
        try (Ring ring = Ring.create(name, RingOptions.of(DType.UINT32, 8).capacity(4));
             RingWriter writer = ring.writer()) {
            RingInteropFrames frames = new RingInteropFrames(Kind.UNIFORM, DType.UINT32, ring.size());
            try (PythonRingPeer first = PythonRingPeer.start("hold", name, "trainer", "oldest", graceSeconds, "2")) {
                for (long p = 0; p < 6; p++) {
                    if (p == 4) {
                        assertEquals("ready 2 lost 0", first.ready());
                    }
                    writer.write(frames.frame(p), p, WAIT);
                }
                first.kill();
            }
            assertThrows(StreamTimeoutException.class, () -> writer.write(frames.frame(6), 6, Duration.ofMillis(300)),
                    "the dead reader's cursor holds the writer within its grace");
            try (PythonRingPeer second = PythonRingPeer.start("hold", name, "trainer", "oldest", graceSeconds, "1")) {
                assertEquals("ready 3 lost 0", second.ready(), "restarted within the grace, it resumes with nothing lost");
                second.kill();
            }
            long killed = System.nanoTime();
            writer.write(frames.frame(6), 6, Duration.ZERO);
            writer.write(frames.frame(7), 7, WAIT); // waits out the grace, then goes on
            long waited = System.nanoTime() - killed;
            assertTrue(waited >= grace.toNanos() * 9 / 10, "the writer went on " + waited / 1_000_000 + " ms after the reader died");
            CursorInfo trainer = ring.cursors().stream().filter(c -> c.name().equals("trainer")).findFirst().orElseThrow();
            assertTrue(!trainer.live() && trainer.untethered() && trainer.position() == 3, trainer.toString());
            for (long p = 8; p < 20; p++) {
                writer.write(frames.frame(p), p, Duration.ZERO);
            }
            Reply late = PythonRingPeer.run("read", name, "trainer", "4", "uniform", "oldest", "2", graceSeconds);
            assertEquals(16, late.getLong("first"), late.line());
            assertEquals(13, late.getLong("lost"), "positions 3..15, lost while it was away: " + late.line());
            assertEquals("True", late.get("exact"), late.line());
            assertEquals(0, late.getLong("bad"), late.line());
            try (RingReader again = ring.reader("trainer", CursorOptions.defaults().grace(grace))) {
                assertEquals(20, again.position());
            }
        }
    }
}

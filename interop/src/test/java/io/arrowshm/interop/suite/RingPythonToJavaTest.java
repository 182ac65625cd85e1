package io.arrowshm.interop.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.DType;
import io.arrowshm.Overflow;
import io.arrowshm.Ring;
import io.arrowshm.RingBatch;
import io.arrowshm.RingFrame;
import io.arrowshm.RingInfo;
import io.arrowshm.RingLease;
import io.arrowshm.RingReader;
import io.arrowshm.StreamTimeoutException;
import io.arrowshm.interop.suite.RingInteropFrames.Kind;
import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** A Python writer (arrow_shm), Java readers: what Python wrote is what Java reads, frame by frame. */
class RingPythonToJavaTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int LOSSLESS_FRAMES = 100_000;

    @RegisterExtension
    final TestStreams rings = new TestStreams();

    @DisplayName("Python creates and writes, Java takes, leases and leases batches: every dtype")
    @ParameterizedTest(name = "{0}")
    @EnumSource(DType.class)
    void everyDtype(DType dtype) {
        pythonWritesJavaReads(rings.name("p2j-" + dtype), dtype, "3x5", 24, 24);
    }

    @DisplayName("Python writes, Java reads: odd shapes and a non-ASCII name")
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"1", "97", "7x1x3", "1x2x1x2x1x2x1x2x1x2x1x2x1x2x1x2x1x2x1", "480x640"})
    void oddShapes(String shape) {
        pythonWritesJavaReads(rings.name("p2j ✓ größe " + shape), DType.UINT16, shape, 12, 12);
    }

    /** Three Java cursors read one after the other, so the ring holds every frame (capacity >= frames). */
    private void pythonWritesJavaReads(String name, DType dtype, String shape, int capacity, int frames) {
        PythonRingPeer.run("create", name, dtype.numpyName(), shape, String.valueOf(capacity));
        try (Ring ring = Ring.open(name);
             RingReader taking = ring.reader("take");
             RingReader leasing = ring.reader("lease");
             RingReader batching = ring.reader("batch")) {
            assertEquals(dtype, ring.dtype());
            assertEquals(shape, String.join("x", java.util.Arrays.stream(ring.shape()).mapToObj(Long::toString)
                    .toArray(String[]::new)));
            RingInteropFrames expected = new RingInteropFrames(Kind.PATTERN, dtype, ring.size());
            PythonRingPeer writer = PythonRingPeer.start("write", name, String.valueOf(frames), "pattern");
            for (long p = 0; p < frames; p++) {
                try (RingFrame frame = taking.take(WAIT)) {
                    assertEquals(p, frame.position());
                    assertEquals(p, frame.frameId());
                    assertTrue(expected.holds(frame.buffer(), 0, p), "take: frame " + p + " differs");
                }
                try (RingLease lease = leasing.lease(WAIT)) {
                    assertEquals(p, lease.position());
                    assertTrue(expected.holds(lease.buffer(), 0, p), "lease: frame " + p + " differs");
                    assertTrue(lease.valid());
                }
            }
            long p = 0;
            while (p < frames) {
                try (RingBatch batch = batching.leaseBatch(8, WAIT)) {
                    assertEquals(p, batch.firstPosition());
                    for (int i = 0; i < batch.count(); i++, p++) {
                        assertEquals(p, batch.frameId(i));
                        assertTrue(expected.holds(batch.buffer(), (long) i * ring.size(), p), "batch: frame " + p);
                    }
                    assertTrue(batch.valid());
                }
            }
            for (RingReader reader : new RingReader[] {taking, leasing, batching}) {
                assertEquals(0, reader.lost());
                assertEquals(frames, reader.position());
            }
            try (writer) {
                assertEquals(frames, writer.finish().getLong("next"));
            }
        }
    }

    @Test
    @DisplayName("Java sees the header, writer and cursors of a ring Python made")
    void javaSeesPythonsRing() {
        String name = rings.name("p2j-info");
        PythonRingPeer.run("create", name, "float64", "2x3", "7", "overwrite");
        try (PythonRingPeer holder = PythonRingPeer.start("hold", name, "python✓", "oldest", "9")) {
            holder.ready();
            RingInfo info = Ring.stat(name);
            assertEquals(DType.FLOAT64, info.dtype());
            assertEquals(Overflow.OVERWRITE, info.overflow());
            assertEquals(7, info.capacity());
            assertEquals(48, info.slotSize());
            assertEquals(16, info.maxCursors(), "Python's default max_cursors is Java's");
            assertEquals(1, info.cursors().size());
            var cursor = info.cursors().get(0);
            assertEquals("python✓", cursor.name());
            assertEquals(holder.pid(), cursor.pid().orElseThrow());
            assertTrue(cursor.live() && cursor.blocking() && !cursor.untethered(), cursor.toString());
            assertEquals(Duration.ofSeconds(9).toNanos(), cursor.graceNanos());
        }
    }

    @Test
    @DisplayName("BLOCK is lossless across the language boundary: 10^5 frames from Python, each one checked by a Java reader and a Python reader")
    void blockLosslessToJava() throws Exception {
        String name = rings.name("p2j-lossless");
        PythonRingPeer.run("create", name, "uint32", "16", "64");
        try (Ring ring = Ring.open(name);
             RingReader reader = ring.reader("java");
             PythonRingPeer python = PythonRingPeer.start("read", name, "python", String.valueOf(LOSSLESS_FRAMES),
                     "selfcheck", "oldest", "120")) {
            python.ready();
            RingInteropFrames expected = new RingInteropFrames(Kind.SELFCHECK, DType.UINT32, ring.size());
            try (PythonRingPeer writer = PythonRingPeer.start("write", name, String.valueOf(LOSSLESS_FRAMES), "selfcheck")) {
                long bad = 0;
                for (long p = 0; p < LOSSLESS_FRAMES; p++) {
                    try (RingFrame frame = reader.take(WAIT)) {
                        if (frame.position() != p || frame.frameId() != p || frame.lost() != 0
                                || !expected.holds(frame.buffer(), 0, p)) {
                            bad++;
                        }
                    }
                }
                assertEquals(0, bad, "frames out of place or torn");
                assertEquals(LOSSLESS_FRAMES, writer.finish().getLong("next"));
            }
            assertEquals(0, reader.lost());
            Reply got = python.finish();
            assertEquals(LOSSLESS_FRAMES, got.getLong("frames"), got.line());
            assertEquals(0, got.getLong("bad") + got.getLong("lost"), got.line());
        }
    }

    @Test
    @DisplayName("OVERWRITE: a slow Java reader of a fast Python writer counts exactly what it lost")
    void overwriteExactLostInJava() {
        String name = rings.name("p2j-overwrite");
        int total = 20_000;
        PythonRingPeer.run("create", name, "uint32", "64", "4", "overwrite");
        try (Ring ring = Ring.open(name); RingReader reader = ring.reader("slow")) {
            RingInteropFrames expected = new RingInteropFrames(Kind.SELFCHECK, DType.UINT32, ring.size());
            try (PythonRingPeer writer = PythonRingPeer.start("write", name, String.valueOf(total), "selfcheck")) {
                long previous = -1;
                long delivered = 0;
                long lostSum = 0;
                while (true) {
                    RingFrame frame;
                    try {
                        frame = reader.take(Duration.ofSeconds(3));
                    } catch (StreamTimeoutException e) {
                        break;
                    }
                    try (frame) {
                        assertTrue(expected.holds(frame.buffer(), 0, frame.position()), "frame " + frame.position());
                        assertEquals(frame.position() - previous - 1, frame.lost(), "lost is the gap before the frame");
                        previous = frame.position();
                        lostSum += frame.lost();
                        delivered++;
                    }
                    if (delivered % 16 == 0) {
                        java.util.concurrent.locks.LockSupport.parkNanos(200_000);
                    }
                }
                assertEquals(total, writer.finish().getLong("next"));
                assertEquals(total, reader.position());
                assertEquals(total, delivered + reader.lost(), String.format(Locale.ROOT, "delivered %d lost %d",
                        delivered, reader.lost()));
                assertEquals(reader.lost(), lostSum);
                assertTrue(reader.lost() > 0, "the writer lapped the reader");
            }
        }
    }
}

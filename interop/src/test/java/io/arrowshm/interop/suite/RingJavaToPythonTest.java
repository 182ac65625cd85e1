package io.arrowshm.interop.suite;

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
import io.arrowshm.interop.suite.RingInteropFrames.Kind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** A Java writer, Python readers (arrow_shm): what Java wrote is what Python reads, frame by frame. */
class RingJavaToPythonTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int LOSSLESS_FRAMES = 100_000;

    @RegisterExtension
    final TestStreams rings = new TestStreams();

    @DisplayName("Java writes, Python takes, leases and leases batches: every dtype")
    @ParameterizedTest(name = "{0}")
    @EnumSource(DType.class)
    void everyDtype(DType dtype) {
        javaWritesPythonReads(rings.name("j2p-" + dtype), dtype, new long[] {3, 5}, 4, 25);
    }

    static Stream<Arguments> oddCases() {
        return Stream.of(
                Arguments.of("größe/frames ✓ カメラ", new long[] {1}),
                Arguments.of("odd", new long[] {97}),
                Arguments.of("odd", new long[] {7, 1, 3}),
                Arguments.of("rank 19", new long[] {1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1}),
                Arguments.of("🎥 big", new long[] {480, 640}));
    }

    @DisplayName("Java writes, Python reads: odd shapes and non-ASCII names")
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("oddCases")
    void oddShapesAndNames(String label, long[] shape) {
        javaWritesPythonReads(rings.name(label), DType.INT16, shape, 3, 12);
    }

    private void javaWritesPythonReads(String name, DType dtype, long[] shape, int capacity, int frames) {
        try (Ring ring = Ring.create(name, RingOptions.of(dtype, shape).capacity(capacity))) {
            long elements = 1;
            for (long dim : shape) {
                elements *= dim;
            }
            assertEquals(elements * dtype.itemSize(), ring.size(), "Ring.size() is one frame's bytes");
            List<PythonRingPeer> readers = new ArrayList<>();
            try {
                for (String how : List.of("take", "lease", "batch")) {
                    PythonRingPeer reader = PythonRingPeer.start("read", name, how, String.valueOf(frames), "pattern",
                            "oldest", "60", "5", how);
                    reader.ready();
                    readers.add(reader);
                }
                RingInteropFrames made = new RingInteropFrames(Kind.PATTERN, dtype, ring.size());
                try (RingWriter writer = ring.writer()) {
                    for (long p = 0; p < frames; p++) {
                        writer.write(made.frame(p), p, WAIT);
                    }
                }
                for (PythonRingPeer reader : readers) {
                    Reply got = reader.finish();
                    assertEquals(frames, got.getLong("frames"), got.line());
                    assertEquals(0, got.getLong("bad"), "frames whose bytes, position or id differ: " + got.line());
                    assertEquals(0, got.getLong("lost"), got.line());
                    assertEquals("True", got.get("exact"), got.line());
                    assertEquals(frames - 1, got.getLong("last"), got.line());
                }
            } finally {
                readers.forEach(PythonRingPeer::close);
            }
        }
    }

    @Test
    @DisplayName("Python sees the header, writer and cursors of a ring Java made")
    void pythonSeesJavasRing() {
        String name = rings.name("j2p-info");
        try (Ring ring = Ring.create(name, RingOptions.of(DType.FLOAT32, 480, 640).capacity(5)
                .overflow(Overflow.OVERWRITE).maxCursors(3));
             RingWriter writer = ring.writer();
             RingReader reader = ring.reader("java✓", CursorOptions.defaults().blocking(false))) {
            writer.write(new float[480 * 640], 0);
            Reply info = PythonRingPeer.run("info", name);
            assertEquals("float32", info.get("dtype"));
            assertEquals("480x640", info.get("shape"));
            assertEquals(5, info.getLong("capacity"));
            assertEquals("overwrite", info.get("overflow"));
            assertEquals(3, info.getLong("max_cursors"));
            assertEquals(1, info.getLong("write_position"));
            assertEquals(ring.instanceId(), info.get("instance_id"));
            assertEquals(ProcessHandle.current().pid(), info.getLong("creator_pid"));
            assertEquals(ProcessHandle.current().pid(), info.getLong("writer_pid"));
            assertEquals("java✓:0:1:0", info.get("cursors"), "name:position:live:blocking");
        }
    }

    @Test
    @DisplayName("BLOCK is lossless across the language boundary: 10^5 frames from Java, each one checked by two Python readers and one Java reader")
    void blockLosslessToPython() throws Exception {
        String name = rings.name("j2p-lossless");
        try (Ring ring = Ring.create(name, RingOptions.of(DType.UINT32, 16).capacity(64))) {
            RingInteropFrames made = new RingInteropFrames(Kind.SELFCHECK, DType.UINT32, ring.size());
            try (PythonRingPeer taking = PythonRingPeer.start("read", name, "py-take", String.valueOf(LOSSLESS_FRAMES),
                         "selfcheck", "oldest", "120");
                 PythonRingPeer batching = PythonRingPeer.start("read", name, "py-batch",
                         String.valueOf(LOSSLESS_FRAMES), "selfcheck", "oldest", "120", "5", "batch");
                 RingReader javaReader = ring.reader("java")) {
                taking.ready();
                batching.ready();
                long[] javaSeen = {0, 0};
                Thread java = new Thread(() -> {
                    for (long p = 0; p < LOSSLESS_FRAMES; p++) {
                        try (RingFrame frame = javaReader.take(WAIT)) {
                            if (frame.position() != p || frame.frameId() != p || frame.lost() != 0
                                    || !made.holds(frame.buffer(), 0, p)) {
                                javaSeen[1]++;
                            }
                            javaSeen[0]++;
                        }
                    }
                }, "java-ring-reader");
                java.start();
                try (RingWriter writer = ring.writer()) {
                    for (long p = 0; p < LOSSLESS_FRAMES; p++) {
                        writer.write(made.frame(p), p, WAIT);
                    }
                }
                java.join(WAIT.toMillis() * 5);
                assertEquals(LOSSLESS_FRAMES, javaSeen[0]);
                assertEquals(0, javaSeen[1], "Java reader: frames out of place or torn");
                for (PythonRingPeer reader : List.of(taking, batching)) {
                    Reply got = reader.finish();
                    assertEquals(LOSSLESS_FRAMES, got.getLong("frames"), got.line());
                    assertEquals(0, got.getLong("bad"), got.line());
                    assertEquals(0, got.getLong("lost"), got.line());
                    assertEquals("True", got.get("exact"), got.line());
                    assertEquals(0, got.getLong("first"), got.line());
                    assertEquals(LOSSLESS_FRAMES - 1, got.getLong("last"), got.line());
                }
            }
        }
    }

    @Test
    @DisplayName("OVERWRITE: a slow Python reader of a fast Java writer counts exactly what it lost")
    void overwriteExactLostInPython() {
        String name = rings.name("j2p-overwrite");
        int total = 20_000;
        try (Ring ring = Ring.create(name, RingOptions.of(DType.UINT32, 64).capacity(4).overflow(Overflow.OVERWRITE))) {
            RingInteropFrames made = new RingInteropFrames(Kind.SELFCHECK, DType.UINT32, ring.size());
            try (PythonRingPeer slow = PythonRingPeer.start("read", name, "slow", "1000000000", "selfcheck", "oldest", "3")) {
                slow.ready();
                try (RingWriter writer = ring.writer()) {
                    for (long p = 0; p < total; p++) {
                        writer.write(made.frame(p), p);
                    }
                }
                Reply got = slow.finish();
                assertEquals(0, got.getLong("bad"), got.line());
                assertEquals("True", got.get("exact"), "each frame's lost is the gap before it: " + got.line());
                assertEquals(total, got.getLong("position"), got.line());
                assertEquals(total, got.getLong("frames") + got.getLong("lost"), got.line());
                assertEquals(got.getLong("lost"), got.getLong("lost_sum"), got.line());
                assertTrue(got.getLong("lost") > 0, "the writer lapped the reader: " + got.line());
            }
        }
    }
}

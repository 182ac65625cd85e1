package io.arrowshm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.CursorOptions;
import io.arrowshm.DType;
import io.arrowshm.Ring;
import io.arrowshm.RingFrame;
import io.arrowshm.RingOptions;
import io.arrowshm.RingReader;
import io.arrowshm.RingWriter;
import io.arrowshm.tensors.RingRecordingSchema;
import io.arrowshm.tensors.TensorFileReader;
import io.arrowshm.testing.Names;
import io.arrowshm.testing.RingFrames;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.UInt8Vector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code record} and {@code replay} on rings through the packaged jar: two recordings on one
 * cursor hold every position once between them (the second resumes where the first stopped),
 * with a position column; a replay into a new ring keeps order and frame ids.
 */
class RingRecordReplayIT {
    private final String name = Names.unique("cli-ring-rec");
    private final String copy = Names.unique("cli-ring-copy");

    @AfterEach
    void removeRings() {
        Ring.unlink(name);
        Ring.unlink(copy);
    }

    @Test
    void twoRecordingsOnOneCursorHoldEveryPositionOnceAndReplayKeepsOrder(@TempDir Path dir) throws Exception {
        try (Ring ring = Ring.create(name, RingOptions.of(DType.UINT8, 4096).capacity(16))) {
            // The cursor exists before the writer starts, with a grace that covers the JVM starts between recordings.
            ring.reader("rec", CursorOptions.defaults().grace(Duration.ofSeconds(60))).close();
            AtomicReference<Throwable> failed = new AtomicReference<>();
            Thread writing = new Thread(() -> {
                try (RingWriter writer = ring.writer()) {
                    byte[] frame = new byte[4096];
                    for (long p = 0; p < 200; p++) {
                        RingFrames.fill(frame, p);
                        writer.write(frame, p, Duration.ofSeconds(60));
                    }
                } catch (Throwable e) {
                    failed.set(e);
                }
            });
            writing.start();
            Path first = dir.resolve("first.arrow");
            Path second = dir.resolve("second.arrow");
            Cli.Result a = Cli.run("record", name, first.toString(), "--cursor", "rec", "--frames", "80", "--grace", "60").ok();
            assertTrue(a.out().contains(": 80 frames, ") && a.out().contains("missed 0"), a.toString());
            assertTrue(a.out().contains("cursor rec at 80"), a.toString());
            Cli.Result b = Cli.run("record", name, second.toString(), "--cursor", "rec", "--frames", "120").ok();
            assertTrue(b.out().contains(": 120 frames, ") && b.out().contains("missed 0"), b.toString());
            assertTrue(b.out().contains("cursor rec at 200"), b.toString());
            writing.join(60_000);
            assertEquals(null, failed.get());
            assertEquals(positions(0, 80), recorded(first));
            assertEquals(positions(80, 200), recorded(second));

            Cli.Result replay = Cli.run("replay", first.toString(), copy, "--ring", "--fast").ok();
            assertTrue(replay.out().contains(copy + ": 80 frames"), replay.toString());
            try (Ring made = Ring.open(copy);
                 RingReader reader = made.reader("check")) {
                assertEquals(16, made.capacity(), "the recorded ring's capacity");
                assertEquals(80, made.writePosition());
                for (long p = 64; p < 80; p++) {   // the 16 the ring still holds
                    try (RingFrame f = reader.take(Duration.ofSeconds(5))) {
                        assertEquals(p, f.position());
                        assertEquals(p, f.frameId());
                        assertTrue(RingFrames.check(f.buffer(), 4096, p), "frame " + p);
                    }
                }
            }
            Cli.Result stream = Cli.run("record", copy + "-none", dir.resolve("x.arrow").toString(), "--cursor", "c");
            assertEquals(2, stream.status, stream.toString());
        }
    }

    private static List<Long> positions(long from, long to) {
        List<Long> all = new ArrayList<>();
        for (long p = from; p < to; p++) {
            all.add(p);
        }
        return all;
    }

    /** The positions a recording holds, each frame checked by content against its position. */
    private static List<Long> recorded(Path file) {
        List<Long> positions = new ArrayList<>();
        try (BufferAllocator allocator = new RootAllocator();
             TensorFileReader reader = TensorFileReader.open(file, allocator)) {
            while (reader.loadNextBatch()) {
                UInt8Vector column = (UInt8Vector) reader.root().getVector(RingRecordingSchema.POSITION);
                for (int i = 0; i < reader.rowCount(); i++) {
                    long p = column.get(i);
                    assertTrue(RingFrames.check(reader.rowBytes(i), 4096, p), file + " position " + p);
                    assertEquals(p, reader.frameId(i, -1));
                    positions.add(p);
                }
            }
        }
        return positions;
    }
}

package io.arrowshm.tensors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.arrowshm.CursorOptions;
import io.arrowshm.DType;
import io.arrowshm.Overflow;
import io.arrowshm.Ring;
import io.arrowshm.RingOptions;
import io.arrowshm.testing.Names;
import io.arrowshm.testing.PeerProcess;
import io.arrowshm.testing.RingPeer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recording rings through a cursor and replaying into rings, with the writer in another JVM and
 * every file judged by pyarrow alone: a BLOCK ring at the demo's rate under CPU and disk load
 * (every position, in order, checked by content), a recorder stopped and started again on its
 * cursor, an OVERWRITE ring's exact misses, replay keeping order and frame ids.
 */
class RingRecordingTest {
    private static final Duration PEER = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aBlockRingAtTheDemosRateUnderCpuAndDiskLoadIsRecordedWhole(@TempDir Path dir) throws Exception {
        String name = Names.unique("rec-ring-load");
        Path file = dir.resolve("load.arrow");
        int frames = 400; // 2 s at 200 frames/s of 1.2 MB
        try (Ring ring = Ring.create(name, RingOptions.of(DType.UINT8, 480, 640, 4).capacity(64));
             BufferAllocator allocator = new RootAllocator();
             PeerProcess load = PeerProcess.java(LoadPeer.class, "2", dir.toString())) {
            load.await("loading", PEER);
            try (RingRecorder recorder = RingRecorder.open(ring, "recorder", CursorOptions.defaults(), file,
                    RecordingOptions.defaults().maxFrames(frames), allocator);
                 PeerProcess writer = PeerProcess.java(RingPeer.class, "write", name, Integer.toString(frames), "5000")) {
                RecordingStats stats = recorder.record();
                writer.finish(PEER);
                assertEquals(frames, stats.frames());
                assertEquals(0, stats.missed());
                System.out.printf("recorded a BLOCK ring under load: %d frames, %.0f MB/s, %.2f s%n", stats.frames(),
                        stats.megabytesPerSecond(), stats.elapsedNanos() / 1e9);
            }
            load.kill();
            JsonNode facts = check(file);
            assertEquals(frames, facts.get("rows").asInt(), facts::toString);
            assertEquals(0, facts.get("first").asLong());
            assertEquals(frames - 1, facts.get("last").asLong());
            assertTrue(facts.get("in_order").asBoolean(), "every position, in order");
            assertEquals(0, facts.get("bad").asInt(), "every frame's content is its position's");
            assertEquals(0, facts.get("missed").asLong());
            assertTrue(facts.get("ids_are_positions").asBoolean());
            assertEquals("uint64", facts.get("position_type").asText());
            assertEquals("[\"tensor\",\"position\",\"count\",\"frame_id\",\"write_time\",\"missed\"]",
                    facts.get("columns").toString());
            assertEquals("64", facts.get("capacity").asText());
            assertEquals("block", facts.get("overflow").asText());
        } finally {
            Ring.unlink(name);
        }
    }

    @Test
    void aRecorderStartedAgainOnItsCursorResumesWhereItStopped(@TempDir Path dir) throws Exception {
        String name = Names.unique("rec-ring-resume");
        try (Ring ring = Ring.create(name, RingOptions.of(DType.UINT8, 4096).capacity(16));
             BufferAllocator allocator = new RootAllocator()) {
            RingRecorder.open(ring, "rec", CursorOptions.defaults(), dir.resolve("none.arrow"),
                    RecordingOptions.defaults(), allocator).close();   // attach first: the cursor starts at 0
            try (PeerProcess writer = PeerProcess.java(RingPeer.class, "write", name, "300", "0")) {
                for (String part : List.of("a", "b", "c")) {
                    try (RingRecorder recorder = RingRecorder.open(ring, "rec", CursorOptions.defaults(),
                            dir.resolve(part + ".arrow"), RecordingOptions.defaults().maxFrames(100).batchRows(7),
                            allocator)) {
                        assertEquals(0, recorder.record().missed());
                    }
                }
                writer.finish(PEER);
            }
            long next = 0;
            for (String part : List.of("a", "b", "c")) {
                JsonNode facts = check(dir.resolve(part + ".arrow"));
                assertEquals(100, facts.get("rows").asInt(), facts::toString);
                assertEquals(next, facts.get("first").asLong(), "file " + part + " starts where the last one ended");
                assertTrue(facts.get("in_order").asBoolean());
                assertEquals(0, facts.get("bad").asInt());
                next = facts.get("last").asLong() + 1;
            }
            assertEquals(300, next);
        } finally {
            Ring.unlink(name);
        }
    }

    @Test
    void anOverwriteRingsRecordingCountsExactlyWhatItMissed(@TempDir Path dir) throws Exception {
        String name = Names.unique("rec-ring-over");
        Path file = dir.resolve("over.arrow");
        try (Ring ring = Ring.create(name, RingOptions.of(DType.UINT8, 64, 1024).capacity(4).overflow(Overflow.OVERWRITE));
             BufferAllocator allocator = new RootAllocator()) {
            RingRecorder recorder = RingRecorder.open(ring, null, CursorOptions.defaults(), file,
                    RecordingOptions.defaults().batchRows(2), allocator);
            AtomicReference<RecordingStats> result = new AtomicReference<>();
            Thread recording = new Thread(() -> result.set(recorder.record()));
            recording.start();
            try (PeerProcess writer = PeerProcess.java(RingPeer.class, "write", name, "20000", "0")) {
                writer.finish(PEER);
            }
            while (recorder.position() < 20000 && recording.isAlive()) {
                Thread.sleep(10);
            }
            recorder.stop();
            recording.join();
            recorder.close();
            assertEquals(List.of(), ring.cursors(), "the recorder's own cursor is dropped with it");
            RecordingStats stats = result.get();
            JsonNode facts = check(file);
            long rows = facts.get("rows").asLong();
            assertEquals(stats.frames(), rows);
            assertTrue(stats.missed() > 0, "a 4-slot ring written flat out laps its recorder: " + stats);
            assertEquals(0, facts.get("bad").asInt(), "no row is a torn or overwritten frame");
            assertEquals(19999, facts.get("last").asLong(), "the last frame is recorded");
            assertEquals(facts.get("last").asLong() + 1 - rows, facts.get("missed").asLong(),
                    "missed counts every position the file lacks");
            assertEquals(stats.missed(), facts.get("missed").asLong());
        } finally {
            Ring.unlink(name);
        }
    }

    @Test
    void replayIntoARingKeepsOrderAndFrameIdsAndRefusesAnotherShape(@TempDir Path dir) throws Exception {
        String source = Names.unique("rec-ring-src");
        String copy = Names.unique("rec-ring-copy");
        String other = Names.unique("rec-ring-other");
        Path file = dir.resolve("src.arrow");
        try (Ring ring = Ring.create(source, RingOptions.of(DType.UINT8, 2048).capacity(8));
             BufferAllocator allocator = new RootAllocator()) {
            try (RingRecorder recorder = RingRecorder.open(ring, "rec", CursorOptions.defaults(), file,
                    RecordingOptions.defaults().maxFrames(250), allocator);
                 PeerProcess writer = PeerProcess.java(RingPeer.class, "write", source, "250", "0")) {
                recorder.record();
                writer.finish(PEER);
            }
            // A reader in another JVM attached before the replay gets every frame: content, position and id agree.
            Ring.create(copy, RingOptions.of(DType.UINT8, 2048).capacity(8)).close();
            try (PeerProcess reader = PeerProcess.java(RingPeer.class, "read", copy, "r", "250", "30000", "0", "true",
                    "5000")) {
                reader.await("ready 0", PEER);
                ReplayStats stats = new RingReplayer(file, copy, ReplayOptions.fast(), allocator).run();
                assertEquals(250, stats.frames());
                assertEquals("read 250 first 0 last 249 lost 0 abandoned 0 gaps 0 framelost 0 torn 0 backwards 0 badids 0",
                        reader.finish(PEER).get(0));
            }
            // A new ring takes the recorded ring's capacity and policy from the file.
            new RingReplayer(file, other, ReplayOptions.fast(), allocator).run();
            try (Ring made = Ring.open(other)) {
                assertEquals(8, made.capacity());
                assertEquals(Overflow.BLOCK, made.overflow());
                assertEquals(250, made.writePosition());
            }
            Ring.unlink(other);
            try (Ring wrong = Ring.create(other, RingOptions.of(DType.UINT8, 1024).capacity(8))) {
                TensorFileException e = assertThrows(TensorFileException.class,
                        () -> new RingReplayer(file, other, ReplayOptions.fast(), allocator).run());
                assertTrue(e.getMessage().contains("uint8 [1024]"), e.getMessage());
                assertEquals(0, wrong.writePosition(), "nothing written");
            }
        } finally {
            Ring.unlink(source);
            Ring.unlink(copy);
            Ring.unlink(other);
        }
    }

    private static JsonNode check(Path file) throws Exception {
        try (PeerProcess python = PeerProcess.python("tensor_peer.py", "check-ring-recording", file.toString())) {
            return JSON.readTree(python.nextLine(PEER));
        }
    }
}

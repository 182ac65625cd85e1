package io.arrowshm.tensors;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.arrowshm.DType;
import io.arrowshm.OpenOptions;
import io.arrowshm.SharedMemory;
import io.arrowshm.testing.Names;
import io.arrowshm.testing.PeerProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.Float4Vector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's "Arrow tensors" Java snippets, as they are printed there (stream and file names aside). */
class ReadmeExampleTest {
    @Test
    void recordReplayAndReadPyarrowsFile(@TempDir Path dir) throws Exception {
        String name = Names.unique("readme");
        String replayName = Names.unique("readme-replay");
        Path recording = dir.resolve("frames.arrow");
        Path fromPython = dir.resolve("from_python.arrow");
        AtomicBoolean writing = new AtomicBoolean(true);
        try (SharedMemory producer = SharedMemory.create(name, DType.FLOAT32, 480, 640)) {
            Thread writer = new Thread(() -> {
                float[] frame = new float[480 * 640];
                for (long i = 0; writing.get(); i++) {
                    producer.write(frame, i);
                    sleep(5);
                }
            });
            writer.start();
            try {
                // --- README: record
                try (BufferAllocator allocator = new RootAllocator();
                     SharedMemory frames = SharedMemory.open(name, OpenOptions.readOnly());
                     StreamRecorder recorder = StreamRecorder.open(frames, recording, RecordingOptions.defaults()
                             .maxFrames(100).compression(RecordingOptions.Compression.ZSTD), allocator)) {
                    RecordingStats stats = recorder.record();   // until 100 frames, stop(), or an interrupt
                    System.out.println(stats.frames() + " frames, missed " + stats.missed());
                    assertEquals(100, stats.frames());
                }
            } finally {
                writing.set(false);
                writer.join();
            }
            // --- README: replay
            try (BufferAllocator allocator = new RootAllocator()) {
                ReplayStats stats = StreamReplayer.replay(recording, replayName,
                        ReplayOptions.originalPace(), allocator);          // or rate(30), fast(); .loop(true)
                System.out.println(stats.frames() + " frames at " + stats.framesPerSecond() + "/s");
                assertEquals(100, stats.frames());
            }
            try (PeerProcess python = PeerProcess.python("tensor_peer.py", "write-readme", fromPython.toString())) {
                python.finish(Duration.ofSeconds(120));
            }
            // --- README: Java reads pyarrow's file
            try (BufferAllocator allocator = new RootAllocator();
                 TensorFileReader reader = TensorFileReader.open(fromPython, allocator)) {
                System.out.println(reader.layout() + ", dim_names " + reader.tensorType().dimNames());
                long rows = 0;
                while (reader.loadNextBatch()) {
                    FixedShapeTensorVector tensors = reader.tensors();
                    Float4Vector values = (Float4Vector) tensors.values();   // row i: [i * 307200, (i + 1) * 307200)
                    rows += reader.rowCount();
                    assertEquals(0.5f, values.get(0));
                }
                assertEquals(10, rows);
            }
        } finally {
            SharedMemory.unlink(name);
            SharedMemory.unlinkQuiet(replayName);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package io.arrowshm.tensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.CreateOptions;
import io.arrowshm.DType;
import io.arrowshm.SharedMemory;
import io.arrowshm.testing.Names;
import io.arrowshm.testing.Patterns;
import io.arrowshm.testing.PeerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.UInt8Vector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Live recording from pyshmem, interrupted recordings, the zero-copy root and the snapshot, bad input. */
class RecordingTest {
    private static final Duration PEER = Duration.ofSeconds(120);

    @Test
    void recordsALivePyshmemWriterWaitingOnNotify(@TempDir Path dir) throws Exception {
        String name = Names.unique("rec-live");
        Path file = dir.resolve("live.arrow");
        try (BufferAllocator allocator = new RootAllocator();
             SharedMemory shm = SharedMemory.create(name, CreateOptions.of(DType.UINT8, 64, 64).notify(true))) {
            TensorTesting.Recording recording = new TensorTesting.Recording(shm, file,
                    RecordingOptions.defaults().batchRows(8), allocator);
            try (PeerProcess writer = PeerProcess.python("tensor_peer.py", "pyshmem-write", name, "60", "200")) {
                writer.finish(PEER);
            }
            long deadline = System.nanoTime() + PEER.toNanos();
            while (recording.recorder.stats().frames() + recording.recorder.stats().missed() < 60
                    && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            recording.recorder.stop();
            RecordingStats stats = recording.finish();
            assertEquals(60, stats.frames() + stats.missed(), "every publication recorded or counted as missed");
            List<Long> frameIds = new ArrayList<>();
            long missed = 0;
            try (TensorFileReader reader = TensorFileReader.open(file, allocator)) {
                while (reader.loadNextBatch()) {
                    UInt8Vector missedColumn = (UInt8Vector) reader.root().getVector(RecordingSchema.MISSED);
                    for (int i = 0; i < reader.rowCount(); i++) {
                        long frameId = reader.frameId(i, -1);
                        frameIds.add(frameId);
                        missed += missedColumn.get(i);
                        // pyshmem wrote frame i full of i % 251 with frame id 1000 + i
                        assertEquals((byte) ((frameId - 1000) % 251), reader.rowBytes(i).getByte(4095));
                    }
                }
                assertEquals(name, reader.schema().getCustomMetadata().get(RecordingSchema.META_STREAM));
            }
            assertEquals(stats.frames(), frameIds.size());
            assertEquals(stats.missed(), missed);
            assertEquals(1059, frameIds.get(frameIds.size() - 1));
            for (int i = 1; i < frameIds.size(); i++) {
                assertTrue(frameIds.get(i) > frameIds.get(i - 1), frameIds::toString);
            }
        } finally {
            SharedMemory.unlink(name);
        }
    }

    @Test
    void interruptedMidBatchLeavesReadableFiles(@TempDir Path dir) throws Exception {
        for (RecordingOptions.Format format : RecordingOptions.Format.values()) {
            String name = Names.unique("rec-intr");
            Path file = dir.resolve("interrupted-" + format + ".arrow");
            AtomicBoolean writing = new AtomicBoolean(true);
            try (BufferAllocator allocator = new RootAllocator();
                 SharedMemory shm = SharedMemory.create(name, DType.FLOAT32, 256, 256)) {
                Thread writer = new Thread(() -> {
                    float[] frame = new float[256 * 256];
                    for (long i = 0; writing.get(); i++) {
                        frame[0] = i;
                        shm.write(frame, i);
                    }
                });
                writer.start();
                TensorTesting.Recording recording = new TensorTesting.Recording(shm, file,
                        RecordingOptions.defaults().format(format).batchRows(7), allocator);
                recording.awaitFrames(40);   // several whole batches and, most likely, a partial one
                recording.thread.interrupt(); // may land in a wait or in a file write
                RecordingStats stats = recording.finish();
                writing.set(false);
                writer.join();
                assertTrue(stats.interrupted());
                assertTrue(stats.frames() >= 40);
                long rows = 0;
                try (TensorFileReader reader = TensorFileReader.open(file, allocator)) {
                    while (reader.loadNextBatch()) {
                        rows += reader.rowCount();
                    }
                }
                assertEquals(stats.frames(), rows, "every recorded row is in the finished file");
                try (PeerProcess pyarrow = PeerProcess.python("tensor_peer.py", "count-rows", file.toString(),
                        format == RecordingOptions.Format.FILE ? "file" : "stream")) {
                    assertEquals(Long.toString(rows), pyarrow.finish(PEER).get(0));
                }
            } finally {
                writing.set(false);
                SharedMemory.unlink(name);
            }
        }
    }

    private static long publications(String name) {
        try (SharedMemory shm = SharedMemory.open(name)) {
            return shm.count();
        } catch (io.arrowshm.StreamNotFoundException | io.arrowshm.InvalidMetadataException notYet) {
            return 0;
        }
    }

    @Test
    void aLoopingReplayStopsPromptlyOnInterruptAndOnStop(@TempDir Path dir) throws Exception {
        String source = Names.unique("rec-loop-src");
        String target = Names.unique("rec-loop-dst");
        Path file = dir.resolve("loop.arrow");
        try (BufferAllocator allocator = new RootAllocator();
             SharedMemory shm = SharedMemory.create(source, DType.UINT8, 1024)) {
            TensorTesting.Recording recording = new TensorTesting.Recording(shm, file,
                    RecordingOptions.defaults().maxFrames(5).batchRows(2), allocator);
            for (int i = 0; i < 5; i++) {
                shm.write(Patterns.bytes(DType.UINT8, 1024, i), i);
                recording.awaitFrames(i + 1);
            }
            recording.finish();
            for (boolean byInterrupt : new boolean[] {true, false}) {
                java.util.concurrent.atomic.AtomicReference<Object> outcome = new java.util.concurrent.atomic.AtomicReference<>();
                // Each run has its own allocator: Arrow Java's file reader leaks the batch body it was reading when an
                // interrupt closes the channel under it (MessageSerializer.deserializeRecordBatch), so only the
                // stop() run is held to "every buffer given back".
                BufferAllocator runAllocator = new RootAllocator();
                StreamReplayer replayer = new StreamReplayer(file, target, ReplayOptions.fast().loop(true), runAllocator);
                Thread thread = new Thread(() -> {
                    try {
                        ReplayStats stats = replayer.run();
                        outcome.set(List.of(stats, Thread.currentThread().isInterrupted()));
                    } catch (Throwable e) {
                        outcome.set(e);
                    }
                });
                long before = publications(target);
                thread.start();
                // Into the third pass over the 5 rows (each pass checks the whole file first), however loaded the machine.
                long deadline = System.nanoTime() + PEER.toNanos();
                while (publications(target) < before + 11 && System.nanoTime() < deadline && thread.isAlive()) {
                    Thread.sleep(5);
                }
                if (byInterrupt) {
                    thread.interrupt();
                } else {
                    replayer.stop();
                }
                thread.join(5_000);
                assertTrue(!thread.isAlive(), "the replay ended promptly");
                assertTrue(outcome.get() instanceof List, () -> String.valueOf(outcome.get()));
                ReplayStats stats = (ReplayStats) ((List<?>) outcome.get()).get(0);
                assertTrue(stats.passes() > 1, stats::toString);
                assertEquals(byInterrupt, stats.interrupted(), stats::toString);
                assertEquals(byInterrupt, ((List<?>) outcome.get()).get(1), "the interrupt status is kept");
                if (!byInterrupt) {
                    assertEquals(0, runAllocator.getAllocatedMemory());
                    runAllocator.close();
                }
            }
            assertEquals(0, allocator.getAllocatedMemory());
        } finally {
            SharedMemory.unlink(source);
            SharedMemory.unlinkQuiet(target);
        }
    }

    @Test
    void zeroCopyRootIsTheMappingAndSnapshotOwnsItsCopy() throws Exception {
        String name = Names.unique("rec-roots");
        try (BufferAllocator allocator = new RootAllocator();
             SharedMemory shm = SharedMemory.create(name, DType.FLOAT32, 2, 3)) {
            shm.write(new float[] {1, 2, 3, 4, 5, 6}, 9L);
            long mapping;
            try (var view = shm.buffer()) {
                mapping = view.memoryAddress();
            }
            long[] seen = StreamRoots.readZeroCopy(shm, allocator, root -> {
                FixedShapeTensorVector tensor = (FixedShapeTensorVector) root.getVector(RecordingSchema.TENSOR);
                Float4Vector values = (Float4Vector) tensor.values();
                return new long[] {root.getRowCount(), values.getDataBuffer().memoryAddress(), (long) values.get(5)};
            });
            assertArrayEquals(new long[] {1, mapping, 6}, seen, "one row whose value buffer is the mapping");
            TensorSnapshot snapshot = StreamRoots.snapshot(shm, allocator);
            shm.write(new float[6], 10L);
            FixedShapeTensorVector tensor = (FixedShapeTensorVector) snapshot.root().getVector(RecordingSchema.TENSOR);
            assertEquals(6f, ((Float4Vector) tensor.values()).get(5), "the snapshot kept its own copy");
            assertNotEquals(mapping, tensor.values().getDataBuffer().memoryAddress());
            assertEquals(9L, ((UInt8Vector) snapshot.root().getVector(RecordingSchema.FRAME_ID)).get(0));
            assertEquals(java.util.List.of(1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f), tensor.getObject(0));
            snapshot.close();
            snapshot.close(); // harmless
            assertEquals(0, allocator.getAllocatedMemory());
        } finally {
            SharedMemory.unlink(name);
        }
    }

    @Test
    void badInputIsAOneLineErrorAndTheStreamIsUntouched(@TempDir Path dir) throws Exception {
        String source = Names.unique("rec-bad-src");
        String existing = Names.unique("rec-bad-dst");
        Path good = dir.resolve("good.arrow");
        Path goodStream = dir.resolve("good.arrows");
        try (BufferAllocator allocator = new RootAllocator();
             SharedMemory shm = SharedMemory.create(source, DType.INT16, 100);
             SharedMemory target = SharedMemory.create(existing, DType.FLOAT32, 10)) {
            for (Path path : List.of(good, goodStream)) {
                TensorTesting.Recording recording = new TensorTesting.Recording(shm, path, RecordingOptions.defaults()
                        .maxFrames(3).format(path == good ? RecordingOptions.Format.FILE : RecordingOptions.Format.STREAM),
                        allocator);
                for (int i = 0; i < 3; i++) {
                    shm.write(Patterns.bytes(DType.INT16, 200, i));
                    recording.awaitFrames(i + 1);
                }
                recording.finish();
            }
            byte[] bytes = Files.readAllBytes(good);
            byte[] streamBytes = Files.readAllBytes(goodStream);
            Path text = Files.writeString(dir.resolve("text.arrow"), "hello, this is not arrow\n");
            Path empty = Files.write(dir.resolve("empty.arrow"), new byte[0]);
            Path truncated = Files.write(dir.resolve("truncated.arrow"), java.util.Arrays.copyOf(bytes, bytes.length / 2));
            Path truncatedStream = Files.write(dir.resolve("truncated.arrows"),
                    java.util.Arrays.copyOf(streamBytes, streamBytes.length - 300));
            byte[] garbled = bytes.clone();
            for (int i = garbled.length - 60; i < garbled.length - 10; i++) { // inside the footer
                garbled[i] = (byte) 0xA5;
            }
            Path corrupt = Files.write(dir.resolve("corrupt.arrow"), garbled);
            Path plain = dir.resolve("plain.arrow");
            try (PeerProcess pyarrow = PeerProcess.python("tensor_peer.py", "write-plain", plain.toString())) {
                pyarrow.finish(PEER);
            }
            for (Path bad : List.of(text, empty, truncated, truncatedStream, corrupt, plain, dir.resolve("missing"))) {
                String message = assertThrows(TensorFileException.class,
                        () -> StreamReplayer.replay(bad, existing, ReplayOptions.fast(), allocator)).getMessage();
                assertTrue(message.startsWith(bad.toString()) && !message.contains("\n"), message);
            }
            String mismatch = assertThrows(TensorFileException.class,
                    () -> StreamReplayer.replay(good, existing, ReplayOptions.fast(), allocator)).getMessage();
            assertTrue(mismatch.contains("is float32 [10]") && mismatch.contains("int16 [100]"), mismatch);
            assertThrows(TensorFileException.class,
                    () -> StreamReplayer.replay(plain, Names.unique("never"), ReplayOptions.fast(), allocator));
            assertEquals(0, target.count(), "the existing stream was not written");
            assertEquals(0, allocator.getAllocatedMemory());
        } finally {
            SharedMemory.unlink(source);
            SharedMemory.unlink(existing);
        }
    }
}

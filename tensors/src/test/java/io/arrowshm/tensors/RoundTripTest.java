package io.arrowshm.tensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.arrowshm.DType;
import io.arrowshm.Publication;
import io.arrowshm.SharedMemory;
import io.arrowshm.testing.Names;
import io.arrowshm.testing.Patterns;
import io.arrowshm.testing.PeerProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every dtype at ranks 1 to 5, both directions: Java records a live stream and pyarrow reads the
 * file the way the README says; pyarrow writes {@code pa.fixed_shape_tensor} files and Java reads
 * them and replays them into streams.
 */
class RoundTripTest {
    private static final Duration PEER = Duration.ofSeconds(120);
    private static final long[][] SHAPES = {{5}, {3, 4}, {2, 3, 4}, {2, 1, 3, 2}, {1, 2, 3, 1, 2}};
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void javaRecordsEveryDtypeAndRankAndPyarrowReadsIt(@TempDir Path dir) throws Exception {
        List<String> manifest = new ArrayList<>();
        try (BufferAllocator allocator = new RootAllocator()) {
            for (DType dtype : DType.values()) {
                for (int rank = 1; rank <= 5; rank++) {
                    // Vary the container across ranks: file, zstd, lz4, stream format.
                    RecordingOptions options = RecordingOptions.defaults().batchRows(2).maxFrames(3);
                    String format = "file";
                    if (rank == 3) {
                        options = options.compression(RecordingOptions.Compression.ZSTD);
                    } else if (rank == 4) {
                        options = options.compression(RecordingOptions.Compression.LZ4);
                    } else if (rank == 5) {
                        options = options.format(RecordingOptions.Format.STREAM);
                        format = "stream";
                    }
                    Path file = dir.resolve("java-" + dtype.numpyName() + "-r" + rank + ".arrow");
                    manifest.add(JSON.writeValueAsString(record(dtype, SHAPES[rank - 1], file, format, options,
                            allocator)));
                }
            }
            assertEquals(0, allocator.getAllocatedMemory(), "every buffer given back");
        }
        Path manifestFile = Files.write(dir.resolve("manifest.jsonl"), manifest, StandardCharsets.UTF_8);
        try (PeerProcess pyarrow = PeerProcess.python("tensor_peer.py", "check-files", manifestFile.toString())) {
            List<String> verdicts = pyarrow.finish(PEER);
            assertEquals(manifest.size(), verdicts.size(), verdicts::toString);
            List<String> failures = verdicts.stream().filter(v -> !v.endsWith(" ok")).toList();
            assertEquals(List.of(), failures);
        }
    }

    private static Map<String, Object> record(DType dtype, long[] shape, Path file, String format,
                                              RecordingOptions options, BufferAllocator allocator) throws Exception {
        String name = Names.unique("rt-" + dtype.numpyName());
        List<String> shas = new ArrayList<>();
        List<Long> frameIds = new ArrayList<>();
        try (SharedMemory shm = SharedMemory.create(name, dtype, shape)) {
            TensorTesting.Recording recording = new TensorTesting.Recording(shm, file, options, allocator);
            for (int seed = 0; seed < 3; seed++) {
                byte[] frame = Patterns.bytes(dtype, shm.size(), seed);
                shm.write(frame, 500L + seed);
                recording.awaitFrames(seed + 1);   // one publication per row: nothing to miss
                shas.add(Patterns.sha256(frame));
                frameIds.add(500L + seed);
            }
            RecordingStats stats = recording.finish();
            assertEquals(3, stats.frames());
            assertEquals(0, stats.missed());
            assertEquals(2, stats.batches());
        } finally {
            SharedMemory.unlink(name);
        }
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("path", file.toString());
        entry.put("format", format);
        entry.put("dtype", dtype.numpyName());
        entry.put("shape", shape);
        entry.put("sha", shas);
        entry.put("frame_ids", frameIds);
        return entry;
    }

    @Test
    void pyarrowWritesEveryDtypeAndRankAndJavaReadsAndReplaysIt(@TempDir Path dir) throws Exception {
        List<String> files;
        try (PeerProcess pyarrow = PeerProcess.python("tensor_peer.py", "write-files", dir.toString())) {
            files = pyarrow.finish(PEER);
        }
        assertEquals(14 * 5, files.size());
        try (BufferAllocator allocator = new RootAllocator()) {
            for (String line : files) {
                JsonNode expected = JSON.readTree(line);
                Path file = Path.of(expected.get("path").asText());
                DType dtype = DType.fromNumpyName(expected.get("dtype").asText());
                long[] shape = JSON.convertValue(expected.get("shape"), long[].class);
                List<String> shas = new ArrayList<>();
                expected.get("sha").forEach(s -> shas.add(s.asText()));

                List<String> read = new ArrayList<>();
                try (TensorFileReader reader = TensorFileReader.open(file, allocator)) {
                    assertEquals(dtype, reader.layout().dtype(), file::toString);
                    assertArrayEquals(shape, reader.layout().shape(), file::toString);
                    long rowBytes = dtype.itemSize() * java.util.Arrays.stream(shape).reduce(1, (a, b) -> a * b);
                    try (ArrowBuf row = allocator.buffer(rowBytes)) {
                        while (reader.loadNextBatch()) {
                            for (int i = 0; i < reader.rowCount(); i++) {
                                reader.copyRow(i, row);
                                read.add(TensorTesting.sha(row, rowBytes));
                            }
                        }
                    }
                }
                assertEquals(shas, read, file::toString);

                String name = Names.unique("rt-replay");
                try {
                    ReplayStats stats = StreamReplayer.replay(file, name, ReplayOptions.fast(), allocator);
                    assertEquals(3, stats.frames());
                    try (SharedMemory shm = SharedMemory.open(name); Publication last = shm.readPublication()) {
                        assertEquals(dtype, shm.dtype());
                        assertArrayEquals(shape, shm.shape());
                        assertEquals(3, last.count());
                        assertEquals(102, last.frameId(), "frame_id kept");
                        assertEquals(shas.get(2), TensorTesting.sha(last.payload(), shm.size()), file::toString);
                    }
                } finally {
                    SharedMemory.unlink(name);
                }
            }
            assertEquals(0, allocator.getAllocatedMemory());
        }
    }

    @Test
    void pyarrowsPermutedTensorsReplayAsStored(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("permuted.arrow");
        String expected;
        try (PeerProcess pyarrow = PeerProcess.python("tensor_peer.py", "write-permuted", file.toString())) {
            expected = pyarrow.finish(PEER).get(0);
        }
        String name = Names.unique("rt-perm");
        try (BufferAllocator allocator = new RootAllocator()) {
            try (TensorFileReader reader = TensorFileReader.open(file, allocator)) {
                assertArrayEquals(new long[] {4, 3}, reader.tensorType().shape());
                assertArrayEquals(new long[] {3, 4}, reader.tensorType().logicalShape());
                assertArrayEquals(new int[] {1, 0}, reader.tensorType().permutation());
            }
            StreamReplayer.replay(file, name, ReplayOptions.fast(), allocator);
            try (SharedMemory shm = SharedMemory.open(name); Publication last = shm.readPublication()) {
                assertArrayEquals(new long[] {4, 3}, shm.shape());
                assertEquals(1, last.frameId(), "no frame_id column: the row number");
                assertEquals(expected, TensorTesting.sha(last.payload(), shm.size()));
            }
        } finally {
            SharedMemory.unlink(name);
        }
    }

    @Test
    void replayedStreamIsReadByPyshmem(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("rec.arrow");
        String source = Names.unique("rt-src");
        String target = Names.unique("rt-dst");
        try (BufferAllocator allocator = new RootAllocator();
             SharedMemory shm = SharedMemory.create(source, DType.UINT16, 6, 7)) {
            TensorTesting.Recording recording = new TensorTesting.Recording(shm, file,
                    RecordingOptions.defaults().maxFrames(4), allocator);
            for (int seed = 0; seed < 4; seed++) {
                shm.write(Patterns.bytes(DType.UINT16, shm.size(), seed), 70L + seed);
                recording.awaitFrames(seed + 1);
            }
            recording.finish();
            ReplayStats stats = StreamReplayer.replay(file, target, ReplayOptions.rate(200), allocator);
            assertEquals(4, stats.frames());
            assertTrue(stats.elapsedNanos() >= 3 * 5_000_000L * 0.9, "paced at 200 Hz: " + stats.elapsedNanos());
            try (PeerProcess pyshmem = PeerProcess.python("tensor_peer.py", "pyshmem-read", target)) {
                JsonNode seen = JSON.readTree(pyshmem.finish(PEER).get(0));
                assertEquals("uint16", seen.get("dtype").asText());
                assertEquals("[6,7]", seen.get("shape").toString());
                assertEquals(73, seen.get("frame_id").asLong());
                assertEquals(4, seen.get("count").asLong());
                assertEquals(Patterns.sha256(Patterns.bytes(DType.UINT16, 84, 3)), seen.get("sha").asText());
            }
        } finally {
            SharedMemory.unlink(source);
            SharedMemory.unlink(target);
        }
    }
}

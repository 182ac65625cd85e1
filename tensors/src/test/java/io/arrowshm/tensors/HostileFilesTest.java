package io.arrowshm.tensors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.DType;
import io.arrowshm.SharedMemory;
import io.arrowshm.tensors.testing.HostileIpc;
import io.arrowshm.tensors.testing.HostileIpc.Codec;
import io.arrowshm.testing.Names;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The library's side of the hostile-file checks (the CLI's {@code ReplayHostileFilesIT} runs the
 * same files through the jar and bounds its memory): every lie is a {@link TensorFileException}
 * naming the file and the batch, raised before Arrow allocates for it, so an allocator of 32 MiB
 * is never even asked for more; the limits are configurable; honest files of every format and
 * codec still read; a damaged footer is described, never a Java exception's text.
 */
class HostileFilesTest {
    private static final DType DTYPE = DType.FLOAT32;
    private static final long[] SHAPE = {4, 4};

    @TempDir
    Path dir;

    private Path write(String name, boolean fileFormat, java.util.function.Function<BufferAllocator, List<org.apache.arrow.vector.ipc.message.ArrowRecordBatch>> batches) {
        Path file = dir.resolve(name);
        try (BufferAllocator allocator = new RootAllocator()) {
            HostileIpc.write(file, fileFormat, HostileIpc.schema(DTYPE, SHAPE), batches.apply(allocator));
        }
        return file;
    }

    /** Opens and reads every batch with an allocator that would refuse anything past 32 MiB. */
    private static TensorFileException refused(Path file) {
        return assertThrows(TensorFileException.class, () -> {
            try (BufferAllocator small = new RootAllocator(32L << 20);
                 TensorFileReader reader = TensorFileReader.open(file, small)) {
                reader.checkAllBatches();
            }
        });
    }

    @ParameterizedTest(name = "a {0} buffer claiming 64 GiB is refused from its length prefix")
    @ValueSource(strings = {"ZSTD", "LZ4"})
    void decompressionBombsAreRefusedBeforeTheyAllocate(String codec) {
        for (boolean fileFormat : new boolean[] {true, false}) {
            Path file = write("bomb-" + codec + fileFormat + ".arrow", fileFormat, a -> List.of(
                    HostileIpc.decompressionBomb(a, DTYPE, SHAPE, 16, Codec.valueOf(codec), 64L << 30, 0)));
            TensorFileException e = refused(file);
            assertTrue(e.getMessage().startsWith(file + ": record batch 1: column 'tensor.item'"), e.getMessage());
            assertTrue(e.getMessage().contains("68719476736"), e.getMessage());
        }
    }

    @Test
    void aRowCountWithoutRowsIsRefusedWithTheLimit() {
        Path file = write("rows.arrow", true, a -> List.of(HostileIpc.rowCountBomb(a, DTYPE, SHAPE, 1 << 22, 4)));
        TensorFileException e = refused(file);
        assertTrue(e.getMessage().contains("declares 4194304 rows") && e.getMessage().contains("--max-batch-rows"),
                e.getMessage());
        // Within the row limit, the values it declares but does not carry are refused instead.
        Path few = write("few.arrow", false, a -> List.of(HostileIpc.rowCountBomb(a, DTYPE, SHAPE, 64, 4)));
        TensorFileException missing = refused(few);
        assertTrue(missing.getMessage().contains("column 'tensor.item' declares 64 values where the batch needs 1024"),
                missing.getMessage());
    }

    @Test
    void limitsAreTheCallersToChange(@TempDir Path dir) {
        Path file = write("wide.arrow", true, a -> List.of(HostileIpc.honest(a, DTYPE, SHAPE, 100, 1, Codec.ZSTD)));
        try (BufferAllocator allocator = new RootAllocator()) {
            TensorFileException rows = assertThrows(TensorFileException.class, () -> {
                try (TensorFileReader reader = TensorFileReader.open(file, allocator,
                        IpcLimits.defaults().maxBatchRows(99))) {
                    reader.checkAllBatches();
                }
            });
            assertTrue(rows.getMessage().contains("declares 100 rows"), rows.getMessage());
            TensorFileException frame = assertThrows(TensorFileException.class,
                    () -> TensorFileReader.open(file, allocator, IpcLimits.defaults().maxFrameBytes(63)).close());
            assertTrue(frame.getMessage().contains("64 bytes, over the limit of 63 (--max-frame-bytes)"),
                    frame.getMessage());
            try (TensorFileReader reader = TensorFileReader.open(file, allocator,
                    IpcLimits.defaults().maxBatchRows(100).maxBatchBytes(6400))) {
                assertEquals(100, reader.checkAllBatches());
            }
        }
    }

    @Test
    void honestFilesOfEveryCodecAndFormatReadWhole() {
        for (Codec codec : Codec.values()) {
            for (boolean fileFormat : new boolean[] {true, false}) {
                Path file = write("honest-" + codec + fileFormat + ".arrow", fileFormat, a -> List.of(
                        HostileIpc.honest(a, DTYPE, SHAPE, 4, 1, codec), HostileIpc.honest(a, DTYPE, SHAPE, 3, 5, codec)));
                try (BufferAllocator allocator = new RootAllocator();
                     TensorFileReader reader = TensorFileReader.open(file, allocator)) {
                    assertEquals(7, reader.checkAllBatches());
                    assertTrue(reader.loadNextBatch(), "restarted at the first batch");
                    assertEquals(4, reader.rowCount());
                }
            }
        }
    }

    @Test
    void aCorruptSecondBatchFailsTheCheckAndTheReplayPublishesNothing() {
        Path file = write("corrupt.arrow", true, a -> List.of(HostileIpc.honest(a, DTYPE, SHAPE, 4, 1, Codec.ZSTD),
                HostileIpc.corruptFrame(a, DTYPE, SHAPE, 4, Codec.ZSTD)));
        String fresh = Names.unique("replay-corrupt");
        try (BufferAllocator allocator = new RootAllocator()) {
            TensorFileException e = assertThrows(TensorFileException.class,
                    () -> StreamReplayer.replay(file, fresh, ReplayOptions.fast(), allocator));
            assertTrue(e.getMessage().startsWith(file + ": record batch 2: buffer 2: corrupt zstd frame"), e.getMessage());
            assertFalse(SharedMemory.listStreams().contains(fresh), "no stream was created");
        } finally {
            SharedMemory.unlink(fresh);
        }
    }

    @Test
    void everySingleByteDamageOfTheFooterIsDescribed() throws Exception {
        Path honest = write("honest.arrow", true, a -> List.of(HostileIpc.honest(a, DTYPE, SHAPE, 4, 1, Codec.NONE)));
        long size = Files.size(honest);
        Path damaged = dir.resolve("damaged.arrow");
        Map<String, Integer> messages = new TreeMap<>();
        List<String> bad = new ArrayList<>();
        HostileIpc.sweepSingleByteDamages(honest, damaged, (int) size / 2, (at, value, e) -> {
            if (e != null) {
                String message = e.getMessage();
                messages.merge(message.replace(damaged.toString(), "FILE").replaceAll("-?\\d+", "N"), 1, Integer::sum);
                if (!message.startsWith(damaged + ": ") || message.contains("Cannot invoke")
                        || message.contains("Exception") || message.contains("\n")) {
                    bad.add("byte " + at + " = " + value + ": " + message);
                }
            }
            return true;
        });
        messages.forEach((message, count) -> System.out.println(count + " x " + message));
        assertEquals(List.of(), bad, "damages described with a Java exception's text");
    }
}

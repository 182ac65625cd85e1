package io.arrowshm.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.DType;
import io.arrowshm.Publication;
import io.arrowshm.SharedMemory;
import io.arrowshm.tensors.testing.HostileIpc;
import io.arrowshm.tensors.testing.HostileIpc.Codec;
import io.arrowshm.tensors.testing.ResidentMemory;
import io.arrowshm.tensors.testing.TestStreams;
import io.arrowshm.testing.Names;
import io.arrowshm.testing.Patterns;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code replay} of files crafted to lie (defects 1, 2, 6, 7 of the edge-hardening issue): the
 * jar in a process of its own, its peak resident memory (VmHWM) held to 256 MiB above what an
 * honest replay of the same shape takes, one error line naming the file, exit status 2, and no
 * stream created or changed. Before the fixes: a zstd or lz4 buffer claiming 64 GiB ended in an
 * OutOfMemoryError stack trace (exit 1, "Memory was leaked") with an empty stream left behind; real
 * zeros behind the claim took the process past a GiB; a row count with no rows behind it made
 * Arrow grow every vector to it; a corrupt batch 2 left batch 1 published; a file replaced
 * between {@code --loop} passes by another dtype or shape was published into the stream.
 */
class ReplayHostileFilesIT {
    private static final DType DTYPE = DType.FLOAT32;
    private static final long[] SHAPE = {4, 4};
    private static long honestPeak;
    private final TestStreams streams = new TestStreams();

    @TempDir
    Path dir;

    @BeforeAll
    static void measureAnHonestReplay(@TempDir Path dir) {
        Path file = dir.resolve("honest.arrow");
        try (BufferAllocator allocator = new RootAllocator()) {
            HostileIpc.write(file, true, HostileIpc.schema(DTYPE, SHAPE),
                    List.of(HostileIpc.honest(allocator, DTYPE, SHAPE, 16, 1, Codec.ZSTD)));
        }
        String name = Names.unique("replay-honest");
        try {
            Cli.Result result = Cli.run("replay", file.toString(), name, "--fast").ok();
            honestPeak = result.peakResidentBytes;
            System.out.println("an honest replay of 16 rows: peak resident " + (honestPeak >> 20) + " MiB");
        } finally {
            SharedMemory.unlink(name);
        }
    }

    @AfterEach
    void unlink() {
        streams.unlinkAll();
    }

    /** The file, written as an IPC file (or stream): the crafted batches for the 4x4 float32 column. */
    private Path craft(String fileName, boolean fileFormat, BatchMaker... makers) {
        Path file = dir.resolve(fileName);
        try (BufferAllocator allocator = new RootAllocator()) {
            List<ArrowRecordBatch> batches = new ArrayList<>();
            for (BatchMaker maker : makers) {
                batches.add(maker.make(allocator));
            }
            HostileIpc.write(file, fileFormat, HostileIpc.schema(DTYPE, SHAPE), batches);
        }
        return file;
    }

    @FunctionalInterface
    private interface BatchMaker {
        ArrowRecordBatch make(BufferAllocator allocator);
    }

    private static BatchMaker honest(int seed) {
        return allocator -> HostileIpc.honest(allocator, DTYPE, SHAPE, 4, seed, Codec.ZSTD);
    }

    private Path hostileFile(String kind, boolean fileFormat) {
        switch (kind) {
            case "zstd-claims-64GiB":
                return craft(kind + ".arrow", fileFormat, a -> HostileIpc.decompressionBomb(a, DTYPE, SHAPE, 16,
                        Codec.ZSTD, 64L << 30, 0));
            case "lz4-claims-64GiB":
                return craft(kind + ".arrow", fileFormat, a -> HostileIpc.decompressionBomb(a, DTYPE, SHAPE, 16,
                        Codec.LZ4, 64L << 30, 0));
            case "zstd-512MiB-of-zeros":
                return craft(kind + ".arrow", fileFormat, a -> HostileIpc.decompressionBomb(a, DTYPE, SHAPE, 16,
                        Codec.ZSTD, 512L << 20, 512L << 20));
            case "lz4-512MiB-of-zeros":
                return craft(kind + ".arrow", fileFormat, a -> HostileIpc.decompressionBomb(a, DTYPE, SHAPE, 16,
                        Codec.LZ4, 512L << 20, 512L << 20));
            case "rows-claimed-without-bytes":
                // 2^22 rows of 4x4 float32 declared (256 MiB of values), 4 rows' bytes sent.
                return craft(kind + ".arrow", fileFormat, a -> HostileIpc.rowCountBomb(a, DTYPE, SHAPE, 1 << 22, 4));
            default:
                throw new IllegalArgumentException(kind);
        }
    }

    private void assertRefusedWithinMemory(Cli.Result result, Path file) {
        long above = result.peakResidentBytes - honestPeak;
        System.out.println(file.getFileName() + ": peak resident " + (result.peakResidentBytes >> 20) + " MiB, "
                + (above >> 20) + " MiB above an honest replay; status " + result.status + ", "
                + result.stderr.strip().replaceAll("\\s*\\R\\s*", " | "));
        result.fails(ExitStatus.STREAM);
        assertTrue(result.stderr.contains(file.toString()), "the error names the file: " + result);
        assertFalse(result.stderr.contains("Exception") || result.stderr.contains("Error:"),
                "a reason, not an exception: " + result);
        assertTrue(result.peakResidentBytes > 0 && above < ResidentMemory.BOUND_ABOVE_IDLE,
                "peak resident " + (result.peakResidentBytes >> 20) + " MiB, honest replay "
                        + (honestPeak >> 20) + " MiB: " + result);
    }

    @ParameterizedTest(name = "{0} (IPC file): refused, no stream made")
    @ValueSource(strings = {"zstd-claims-64GiB", "lz4-claims-64GiB", "zstd-512MiB-of-zeros", "lz4-512MiB-of-zeros",
        "rows-claimed-without-bytes"})
    void aLyingBatchIsRefusedBeforeItAllocatesAndNoStreamIsMade(String kind) {
        Path file = hostileFile(kind, true);
        String target = streams.name("replay-bomb");
        assertRefusedWithinMemory(Cli.run("replay", file.toString(), target, "--fast"), file);
        assertFalse(SharedMemory.listStreams().contains(target), "no stream was created");
    }

    @ParameterizedTest(name = "{0} (IPC stream) into an existing stream: refused, the stream untouched")
    @ValueSource(strings = {"zstd-claims-64GiB", "rows-claimed-without-bytes"})
    void aLyingBatchLeavesAnExistingStreamUntouched(String kind) {
        Path file = hostileFile(kind, false);
        String target = streams.name("replay-bomb-existing");
        try (SharedMemory existing = SharedMemory.create(target, DTYPE, SHAPE)) {
            existing.write(Patterns.bytes(DTYPE, existing.size(), 9), 9L);
            assertRefusedWithinMemory(Cli.run("replay", file.toString(), target, "--fast"), file);
            assertEquals(1, existing.count(), "nothing was published");
        }
    }

    @Test
    void aCorruptSecondBatchLeavesNothingPublished() {
        Path file = craft("corrupt-batch-2.arrow", true, honest(1),
                a -> HostileIpc.corruptFrame(a, DTYPE, SHAPE, 4, Codec.ZSTD));
        String existingName = streams.name("replay-corrupt-existing");
        try (SharedMemory existing = SharedMemory.create(existingName, DTYPE, SHAPE)) {
            existing.write(Patterns.bytes(DTYPE, existing.size(), 9), 9L);
            Cli.Result result = Cli.run("replay", file.toString(), existingName, "--fast");
            assertRefusedWithinMemory(result, file);
            assertEquals(1, existing.count(), "batch 1 was not published either: " + result);
        }
        String fresh = streams.name("replay-corrupt-new");
        assertRefusedWithinMemory(Cli.run("replay", file.toString(), fresh, "--fast"), file);
        assertFalse(SharedMemory.listStreams().contains(fresh), "no stream was left behind");
    }

    @ParameterizedTest(name = "--loop: the file replaced by {0} between passes is refused, not published")
    @ValueSource(strings = {"int32 [4, 4]", "float32 [4, 8]"})
    void aFileReplacedBetweenLoopPassesIsCheckedAgain(String replacement) throws Exception {
        Path file = craft("loop.arrow", true, honest(1), honest(5));
        boolean int32 = replacement.startsWith("int32");
        DType otherDtype = int32 ? DType.INT32 : DType.FLOAT32;
        long[] otherShape = int32 ? SHAPE : new long[] {4, 8};
        Path other = dir.resolve("other.arrow");
        try (BufferAllocator allocator = new RootAllocator()) {
            HostileIpc.write(other, true, HostileIpc.schema(otherDtype, otherShape),
                    List.of(HostileIpc.honest(allocator, otherDtype, otherShape, 8, 100, Codec.NONE)));
        }
        String target = streams.name("replay-loop");
        List<byte[]> allowed = new ArrayList<>();
        for (int seed = 1; seed < 9; seed++) {
            allowed.add(Patterns.bytes(DTYPE, HostileIpc.rowBytes(DTYPE, SHAPE), seed));
        }
        try (Cli.Running replay = Cli.Running.start(Cli.command("replay", file.toString(), target, "--loop",
                "--rate", "40"))) {
            waitForCount(target, 12, replay); // into the second pass: the file was read at least once whole
            Files.move(other, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Cli.Running.Ended ended = replay.awaitExit(Duration.ofSeconds(30));
            try (SharedMemory shm = SharedMemory.open(target); Publication last = shm.readPublication()) {
                byte[] bytes = new byte[(int) shm.size()];
                last.payload().getBytes(0, bytes);
                boolean fromTheFirstFile = allowed.stream().anyMatch(b -> java.util.Arrays.equals(b, bytes));
                assertTrue(fromTheFirstFile, "the stream holds a row of the replacement file ("
                        + replacement + " read as float32 [4, 4]); replay " + (ended == null ? "still running" : ended));
            }
            assertNotNull(ended, "replay kept looping over a file of another dtype or shape");
            assertEquals(ExitStatus.STREAM, ended.status(), ended::toString);
            assertTrue(ended.stderr().contains(file.toString()) && ended.stderr().contains(replacement),
                    "the error names the file and what it holds now: " + ended);
        }
    }

    private static void waitForCount(String name, long count, Cli.Running running) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try (SharedMemory shm = SharedMemory.open(name)) {
                if (shm.count() >= count) {
                    return;
                }
            } catch (io.arrowshm.StreamNotFoundException | io.arrowshm.InvalidMetadataException notYet) {
                // not created yet
            }
            assertTrue(running.isAlive() && System.nanoTime() < deadline, "replay did not get to " + count
                    + " publications");
            Thread.sleep(10);
        }
    }

    @Test
    void honestFilesStillReplayWhole() {
        Path file = craft("honest-two-batches.arrow", false, honest(1), honest(5));
        String target = streams.name("replay-honest-2");
        Cli.run("replay", file.toString(), target, "--fast").ok();
        try (SharedMemory shm = SharedMemory.open(target); Publication last = shm.readPublication()) {
            assertEquals(8, shm.count());
            byte[] bytes = new byte[(int) shm.size()];
            last.payload().getBytes(0, bytes);
            assertArrayEquals(Patterns.bytes(DTYPE, shm.size(), 8), bytes);
        }
    }
}

package io.arrowshm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.arrowshm.DType;
import io.arrowshm.Publication;
import io.arrowshm.SharedMemory;
import io.arrowshm.tensors.TensorFileReader;
import io.arrowshm.testing.Names;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code record} and {@code replay} from the packaged jar, against live writers, Ctrl-C and bad input. */
class RecordReplayIT {
    @Test
    void recordsThenReplaysIntoANewStream(@TempDir Path dir) throws Exception {
        String source = Names.unique("cli-rec");
        String target = Names.unique("cli-replay");
        Path file = dir.resolve("frames.arrow");
        AtomicBoolean writing = new AtomicBoolean(true);
        try (SharedMemory shm = SharedMemory.create(source, DType.FLOAT32, 32, 32)) {
            Thread writer = writer(shm, writing);
            try {
                Cli.Result record = Cli.run("record", source, file.toString(), "--frames", "20", "--compression", "zstd")
                        .ok();
                assertTrue(record.out().startsWith(source + " -> " + file + ": 20 frames, "), record::toString);
                assertTrue(record.stderr.lines().allMatch(l -> l.startsWith(source + ": ")), record::toString);
            } finally {
                writing.set(false);
                writer.join();
            }
            assertEquals(20, rows(file));
            Cli.Result replay = Cli.run("replay", file.toString(), target, "--rate", "500").ok();
            assertTrue(replay.out().startsWith(file + " -> " + target + ": 20 frames"), replay::toString);
            try (SharedMemory replayed = SharedMemory.open(target); Publication last = replayed.readPublication()) {
                assertEquals(DType.FLOAT32, replayed.dtype());
                assertEquals(20, last.count());
                assertTrue(last.frameId() > 0, "frame ids kept");
            }
            // Into the now-existing stream again, as fast as possible: it matches, so it is accepted.
            Cli.run("replay", file.toString(), target, "--fast").ok();
        } finally {
            SharedMemory.unlink(source);
            SharedMemory.unlink(target);
        }
    }

    @Test
    void badInputIsOneLineExitTwoAndTheStreamIsUntouched(@TempDir Path dir) throws Exception {
        String target = Names.unique("cli-replay-bad");
        String source = Names.unique("cli-rec-bad");
        Path text = Files.writeString(dir.resolve("notes.txt"), "not arrow at all\n");
        Path recorded = dir.resolve("int16.arrow");
        try (SharedMemory existing = SharedMemory.create(target, DType.UINT8, 8);
             SharedMemory shm = SharedMemory.create(source, DType.INT16, 4)) {
            AtomicBoolean writing = new AtomicBoolean(true);
            Thread writer = writer(shm, writing);
            try {
                Cli.run("record", source, recorded.toString(), "--frames", "3").ok();
            } finally {
                writing.set(false);
                writer.join();
            }
            byte[] bytes = Files.readAllBytes(recorded);
            Path truncated = Files.write(dir.resolve("cut.arrow"), java.util.Arrays.copyOf(bytes, bytes.length - 40));
            for (Path bad : List.of(text, truncated, dir.resolve("missing.arrow"))) {
                Cli.Result result = Cli.run("replay", bad.toString(), target, "--fast").fails(ExitStatus.STREAM);
                assertTrue(result.stderr.contains(bad.toString()), result::toString);
            }
            Cli.Result mismatch = Cli.run("replay", recorded.toString(), target, "--fast").fails(ExitStatus.STREAM);
            assertTrue(mismatch.stderr.contains("is uint8 [8]"), mismatch::toString);
            assertEquals(0, existing.count(), "the stream was not written");
            Cli.run("record", Names.unique("cli-nosuch"), dir.resolve("x.arrow").toString()).fails(ExitStatus.STREAM);
            Cli.run("record", source, dir.resolve("y.arrow").toString(), "--compression", "gzip")
                    .fails(ExitStatus.USAGE);
            Cli.run("replay", recorded.toString(), target, "--fast", "--rate", "3").fails(ExitStatus.USAGE);
        } finally {
            SharedMemory.unlink(target);
            SharedMemory.unlink(source);
        }
    }

    @Test
    void ctrlCFinishesTheFile(@TempDir Path dir) throws Exception {
        String source = Names.unique("cli-rec-sigint");
        Path file = dir.resolve("interrupted.arrow");
        AtomicBoolean writing = new AtomicBoolean(true);
        try (SharedMemory shm = SharedMemory.create(source, DType.UINT8, 480, 640)) {
            Thread writer = writer(shm, writing);
            List<String> command = new ArrayList<>();
            if (envResetsSignals()) {
                command.addAll(List.of("env", "--default-signal=INT"));
            }
            command.addAll(Cli.command("record", source, file.toString(), "--batch-rows", "1000"));
            Process record = new ProcessBuilder(command).start();
            try {
                BufferedReader status = new BufferedReader(new InputStreamReader(record.getErrorStream(),
                        StandardCharsets.UTF_8));
                String first = status.readLine();
                assertNotNull(first, "record exited before its first progress line");
                assertTrue(first.startsWith(source + ": "), first);
                assertEquals(0, new ProcessBuilder("kill", "-INT", Long.toString(record.pid())).start().waitFor());
                if (!record.waitFor(60, TimeUnit.SECONDS)) {
                    fail("record did not stop on SIGINT");
                }
                assertEquals(130, record.exitValue());
            } finally {
                record.destroyForcibly();
                writing.set(false);
                writer.join();
            }
            assertTrue(rows(file) > 0, "the partial batch was written and the footer closes the file");
        } finally {
            SharedMemory.unlink(source);
        }
    }

    private static long rows(Path file) {
        long rows = 0;
        try (BufferAllocator allocator = new RootAllocator(); TensorFileReader reader = TensorFileReader.open(file, allocator)) {
            while (reader.loadNextBatch()) {
                rows += reader.rowCount();
            }
        }
        return rows;
    }

    /** Writes about 200 frames per second (frame id = sequence number) until told to stop. */
    private static Thread writer(SharedMemory shm, AtomicBoolean writing) {
        Thread writer = new Thread(() -> {
            byte[] frame = new byte[(int) shm.size()];
            for (long i = 1; writing.get(); i++) {
                frame[0] = (byte) i;
                shm.write(frame, i);
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        writer.start();
        return writer;
    }

    private static boolean envResetsSignals() throws IOException, InterruptedException {
        Process probe = new ProcessBuilder("env", "--default-signal=INT", "true")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return probe.waitFor(30, TimeUnit.SECONDS) && probe.exitValue() == 0;
    }
}

package io.arrowshm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.arrowshm.DType;
import io.arrowshm.SharedMemory;
import io.arrowshm.testing.Names;
import io.arrowshm.testing.PeerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Defect 8 of the edge-hardening issue: SIGTERM while {@code record} is far behind (lz4 in Arrow
 * Java is pure Java and slow, so its writer queue is full of batches) still leaves a file pyarrow
 * reads, holding every frame the summary line counts. Before the fix the shutdown's 3 s grace
 * ended before the writer thread drained its queue: no footer, and pyarrow said "Not an Arrow
 * file" (zstd happened to finish in time).
 */
class RecordSigtermIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    @ParameterizedTest(name = "SIGTERM during record --compression {0} leaves a readable file")
    @ValueSource(strings = {"lz4", "zstd"})
    void sigtermFinishesTheFileWhateverTheCompression(String codec, @TempDir Path dir) throws Exception {
        String name = Names.unique("rec-term");
        Path file = dir.resolve("frames.arrow");
        AtomicBoolean writing = new AtomicBoolean(true);
        try (SharedMemory shm = SharedMemory.create(name, DType.UINT8, 960, 1280)) {   // 1.2 MB frames
            Thread writer = incompressibleWriter(shm, writing);
            try (Cli.Running record = Cli.Running.start(Cli.command("record", name, file.toString(),
                    "--compression", codec))) {
                // A hundred recorded frames (120 MB): for lz4, far more than it compresses in 3 s.
                long deadline = System.nanoTime() + TIMEOUT.toNanos();
                while (recorded(record) < 100) {
                    assertTrue(record.isAlive() && System.nanoTime() < deadline, "record got to 100 frames: "
                            + record.stderrSoFar());
                    Thread.sleep(20);
                }
                Cli.Running.Ended ended = record.stop();
                JsonNode read;
                try (PeerProcess pyarrow = PeerProcess.python("cli_peer.py", "read-ipc", file.toString())) {
                    read = Cli.json(pyarrow.finish(TIMEOUT).get(0));
                }
                String summary = ended.stdout().strip();
                System.out.println("record --compression " + codec + " stopped by SIGTERM: status " + ended.status()
                        + ", summary '" + summary + "'; " + Files.size(file) + " bytes; pyarrow: " + read);
                assertNotNull(read.get("rows"), "pyarrow cannot read the file: " + read);
                assertEquals(143, ended.status(), ended::toString);
                assertTrue(summary.startsWith(name + " -> " + file + ": "), "the summary line: " + ended);
                long frames = Long.parseLong(summary.replaceAll(".*: (\\d+) frames,.*", "$1"));
                assertEquals(frames, read.get("rows").asLong(), "every recorded frame is in the file: " + read);
            } finally {
                writing.set(false);
                writer.join();
            }
        } finally {
            SharedMemory.unlink(name);
        }
    }

    /** Frames recorded so far, from record's last status line on stderr ("NAME: N frames, ..."). */
    private static long recorded(Cli.Running record) throws java.io.IOException {
        long frames = 0;
        for (String line : record.stderrSoFar().split("[\\r\\n]+")) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile(": (\\d+) frames, ").matcher(line);
            if (m.find()) {
                frames = Long.parseLong(m.group(1));
            }
        }
        return frames;
    }

    /** About 200 frames per second of random bytes (eight frames, cycled: lz4 finds nothing to shorten). */
    private static Thread incompressibleWriter(SharedMemory shm, AtomicBoolean writing) {
        Thread writer = new Thread(() -> {
            byte[][] frames = new byte[8][(int) shm.size()];
            Random random = new Random(1);
            for (byte[] frame : frames) {
                random.nextBytes(frame);
            }
            long start = System.nanoTime();
            for (long i = 0; writing.get(); i++) {
                shm.write(frames[(int) (i % frames.length)], i);
                LockSupport.parkNanos(start + (i + 1) * 5_000_000L - System.nanoTime());
            }
        }, "incompressible-writer");
        writer.start();
        return writer;
    }
}

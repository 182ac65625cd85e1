package io.arrowshm.benchmarks.tensors;

import io.arrowshm.CreateOptions;
import io.arrowshm.CursorOptions;
import io.arrowshm.DType;
import io.arrowshm.Ring;
import io.arrowshm.RingOptions;
import io.arrowshm.RingWriter;
import io.arrowshm.SharedMemory;
import io.arrowshm.tensors.RecordingOptions;
import io.arrowshm.tensors.RecordingStats;
import io.arrowshm.tensors.ReplayOptions;
import io.arrowshm.tensors.ReplayStats;
import io.arrowshm.tensors.RingRecorder;
import io.arrowshm.tensors.StreamRecorder;
import io.arrowshm.tensors.StreamReplayer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * Record and replay throughput of the tensors module in one run, next to a plain
 * {@code FileChannel} write of the same bytes (the bound a recorder approaches), on the live
 * demo's stream: float32 480x640 (1.2 MB frames). Prints medians over rounds; also checks that a
 * recorder keeps up with 200 frames/s (missed publications reported).
 *
 * <pre>{@code
 * java --add-opens=java.base/java.nio=ALL-UNNAMED -cp benchmarks/target/arrow-shm-benchmarks.jar \
 *     io.arrowshm.benchmarks.tensors.RecordReplayBench [--rounds 5] [--frames 400] [--dir /tmp]
 * }</pre>
 */
public final class RecordReplayBench {
    private RecordReplayBench() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = 5;
        int frames = 400;
        Path dir = Path.of(System.getProperty("java.io.tmpdir"));
        for (int i = 0; i < args.length; i += 2) {
            switch (args[i]) {
                case "--rounds": rounds = Integer.parseInt(args[i + 1]); break;
                case "--frames": frames = Integer.parseInt(args[i + 1]); break;
                case "--dir": dir = Path.of(args[i + 1]); break;
                default: throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        String name = "arrowshm-bench-tensors-" + ProcessHandle.current().pid();
        String replayName = name + "-replay";
        Path file = dir.resolve(name + ".arrow");
        Path plain = dir.resolve(name + ".bin");
        String ringName = name + "-ring";
        List<Double> record = new ArrayList<>();
        List<Double> recordRing = new ArrayList<>();
        List<Double> replay = new ArrayList<>();
        List<Double> write = new ArrayList<>();
        long missedAt200 = 0;
        long recordedAt200 = 0;
        RecordingStats ringAt200;
        try (BufferAllocator allocator = new RootAllocator();
             SharedMemory shm = SharedMemory.create(name, CreateOptions.of(DType.FLOAT32, 480, 640).notify(true));
             Ring ring = Ring.create(ringName, RingOptions.of(DType.FLOAT32, 480, 640).capacity(64))) {
            for (int round = 0; round < rounds; round++) {
                record.add(recordFlatOut(shm, file, frames, allocator));
                recordRing.add(recordRing(ring, file, frames, 0, allocator).megabytesPerSecond());
                ReplayStats replayed = StreamReplayer.replay(file, replayName, ReplayOptions.fast(), allocator);
                replay.add(replayed.megabytesPerSecond());
                write.add(plainWrite(plain, shm.size(), frames));
            }
            RecordingStats paced = recordPaced(shm, file, 200, 400, allocator);
            missedAt200 = paced.missed();
            recordedAt200 = paced.frames();
            ringAt200 = recordRing(ring, file, 400, 200, allocator);
        } finally {
            SharedMemory.unlinkQuiet(name);
            Ring.unlink(ringName);
            SharedMemory.unlinkQuiet(replayName);
            Files.deleteIfExists(file);
            Files.deleteIfExists(plain);
        }
        System.out.printf(Locale.ROOT, "float32 480x640 frames (1.23 MB), %d frames per round, %d rounds, medians"
                + " (load average %s, %d cpus, file in %s):%n", frames, rounds, loadAverage(),
                Runtime.getRuntime().availableProcessors(), dir);
        System.out.printf(Locale.ROOT, "  record (IPC file, 16 rows/batch)  %8.1f MB/s  (%.2f of plain write)%n",
                median(record), median(record) / median(write));
        System.out.printf(Locale.ROOT, "  record a BLOCK ring (cursor, gather write from the slots) %8.1f MB/s  (%.2f of plain write)%n",
                median(recordRing), median(recordRing) / median(write));
        System.out.printf(Locale.ROOT, "  replay (fast, into a stream)      %8.1f MB/s  (%.2f of plain write)%n",
                median(replay), median(replay) / median(write));
        System.out.printf(Locale.ROOT, "  plain FileChannel write, same bytes %6.1f MB/s%n", median(write));
        System.out.printf(Locale.ROOT, "  live pace 200 frames/s for 2 s: recorded %d, missed %d%n", recordedAt200,
                missedAt200);
        System.out.printf(Locale.ROOT, "  live pace 200 frames/s for 2 s from a ring: recorded %d, missed %d%n",
                ringAt200.frames(), ringAt200.missed());
    }

    /**
     * A ring recorded through a cursor attached before the writer starts: the writer writes
     * {@code frames} frames at {@code hz} (0: as fast as the ring lets it, so the recorder sets the
     * pace), and the recorder stops at the last one. Nothing can be missed; the rate is the recorder's.
     */
    private static RecordingStats recordRing(Ring ring, Path file, int frames, int hz, BufferAllocator allocator)
            throws InterruptedException {
        String cursor = "bench-" + System.nanoTime();
        AtomicBoolean writing = new AtomicBoolean(true);
        Thread writer = new Thread(() -> {
            float[] frame = new float[480 * 640];
            long start = System.nanoTime();
            try (RingWriter w = ring.writer()) {
                for (int i = 0; i < frames && writing.get(); i++) {
                    if (hz > 0) {
                        long due = start + i * 1_000_000_000L / hz;
                        while (System.nanoTime() < due) {
                            java.util.concurrent.locks.LockSupport.parkNanos(due - System.nanoTime());
                        }
                    }
                    frame[0] = i;
                    w.write(frame, i, java.time.Duration.ofSeconds(60));
                }
            }
        });
        try (RingRecorder recorder = RingRecorder.open(ring, cursor, CursorOptions.defaults().start(CursorOptions.Start.NEXT), file,
                RecordingOptions.defaults().maxFrames(frames), allocator)) {
            writer.start();
            return recorder.record();
        } finally {
            writing.set(false);
            writer.join();
            ring.dropCursor(cursor);
        }
    }

    /**
     * The recorder's sustainable rate: the writer publishes frame i + 1 as soon as the recorder has
     * taken frame i (so nothing is missed and no write overlaps a snapshot), until N frames are in
     * the file. A writer publishing flat out would instead measure seqlock retries: each 1.2 MB
     * snapshot overlapping a write is taken again.
     */
    private static double recordFlatOut(SharedMemory shm, Path file, int frames, BufferAllocator allocator)
            throws InterruptedException {
        AtomicBoolean writing = new AtomicBoolean(true);
        StreamRecorder[] recorder = new StreamRecorder[1];
        Thread writer = new Thread(() -> {
            float[] frame = new float[480 * 640];
            for (int i = 0; i < frames && writing.get(); i++) {
                frame[0] = i;
                shm.write(frame, i);
                while (recorder[0].stats().frames() <= i && writing.get()) {
                    java.util.concurrent.locks.LockSupport.parkNanos(10_000); // two cores: do not spin
                }
            }
        });
        try (StreamRecorder opened = StreamRecorder.open(shm, file, RecordingOptions.defaults().maxFrames(frames),
                allocator)) {
            recorder[0] = opened;
            writer.start();
            return opened.record().megabytesPerSecond();
        } finally {
            writing.set(false);
            writer.join();
        }
    }

    private static RecordingStats recordPaced(SharedMemory shm, Path file, int hz, int frames,
                                              BufferAllocator allocator) throws InterruptedException {
        Thread writer = new Thread(() -> {
            float[] frame = new float[480 * 640];
            long start = System.nanoTime();
            for (int i = 0; i < frames; i++) {
                long due = start + i * 1_000_000_000L / hz;
                while (System.nanoTime() < due) {
                    java.util.concurrent.locks.LockSupport.parkNanos(due - System.nanoTime());
                }
                frame[0] = i;
                shm.write(frame, i);
            }
        });
        try (StreamRecorder recorder = StreamRecorder.open(shm, file, RecordingOptions.defaults()
                .maxDuration(java.time.Duration.ofMillis(frames * 1000L / hz + 500)), allocator)) {
            writer.start();
            RecordingStats stats = recorder.record();
            writer.join();
            return stats;
        }
    }

    /** The same bytes, frame by frame from a direct buffer, then forced once as the recorder's finish does. */
    private static double plainWrite(Path plain, long frameBytes, int frames) throws IOException {
        ByteBuffer frame = ByteBuffer.allocateDirect(Math.toIntExact(frameBytes));
        long start = System.nanoTime();
        try (FileChannel channel = FileChannel.open(plain, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            for (int i = 0; i < frames; i++) {
                frame.clear();
                while (frame.hasRemaining()) {
                    channel.write(frame);
                }
            }
            channel.force(false);
        }
        return frameBytes * (double) frames / 1e6 / ((System.nanoTime() - start) / 1e9);
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}

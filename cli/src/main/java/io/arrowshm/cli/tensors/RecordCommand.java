package io.arrowshm.cli.tensors;

import io.arrowshm.OpenOptions;
import io.arrowshm.Ring;
import io.arrowshm.SharedMemory;
import io.arrowshm.cli.ExitStatus;
import io.arrowshm.cli.Units;
import io.arrowshm.cli.watch.StatusLine;
import io.arrowshm.cli.watch.StopSignal;
import io.arrowshm.tensors.RecordingOptions;
import io.arrowshm.tensors.RecordingStats;
import io.arrowshm.tensors.StreamRecorder;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code arrow-shm record NAME FILE}: records every publication of a stream to an Arrow IPC file
 * (column {@code tensor} as {@code arrow.fixed_shape_tensor}, with count, frame_id, write_time
 * and missed). A progress line refreshes on stderr; Ctrl-C stops it and the file is finished
 * (footer written), so it stays readable. A summary goes to stdout.
 */
@Command(name = "record", mixinStandardHelpOptions = true,
        description = {"Record a stream's publications, or every frame of a ring, to an Arrow IPC file (pyarrow, polars,",
                "pandas read it). A ring is read through a cursor (--cursor NAME: durable, so a new recording on it",
                "resumes where the last stopped) and gets a position column; under BLOCK it misses nothing.",
                "Stops after --frames or --seconds, or on Ctrl-C; the file is always finished and readable."})
public final class RecordCommand implements Callable<Integer> {
    /** The slowest a batch is expected to be compressed and written after a stop: 1 MB/s (lz4 on a loaded host). */
    static final long SLOWEST_WRITE_BYTES_PER_MILLI = 1_000;

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "The stream to record.")
    private String name;

    @Parameters(index = "1", paramLabel = "FILE", description = "The Arrow IPC file to write (replaced if it exists).")
    private Path file;

    @Option(names = "--frames", paramLabel = "N", description = "Stop after recording N publications.")
    private Long frames;

    @Option(names = "--seconds", paramLabel = "S", description = "Stop after S seconds.")
    private Double seconds;

    @Option(names = "--compression", paramLabel = "CODEC", description = "Compress record batches: zstd or lz4.")
    private String compression;

    @Option(names = "--stream-format", description = "Write the Arrow IPC stream format instead of the file format.")
    private boolean streamFormat;

    @Option(names = "--batch-rows", paramLabel = "N", defaultValue = "16",
            description = "Publications per record batch (default ${DEFAULT-VALUE}).")
    private int batchRows;

    @Option(names = "--cursor", paramLabel = "NAME",
            description = "Rings: the cursor to read through, kept in the ring (default: one of the recording's own, dropped at the end).")
    private String cursor;

    @Option(names = "--grace", paramLabel = "S",
            description = "Rings: how long the cursor holds a BLOCK writer back once the recorder is gone (default 5).")
    private Double grace;

    @Override
    public Integer call() {
        RecordingOptions options = RecordingOptions.defaults().batchRows(batchRows)
                .format(streamFormat ? RecordingOptions.Format.STREAM : RecordingOptions.Format.FILE)
                .compression(codec(compression));
        if (frames != null) {
            options = options.maxFrames(frames);
        }
        if (seconds != null) {
            if (!(seconds > 0) || seconds.isInfinite()) {
                throw new IllegalArgumentException("--seconds must be a positive number, got " + seconds);
            }
            options = options.maxDuration(Duration.ofNanos((long) (seconds * 1e9)));
        }
        StatusLine status = new StatusLine(System.err, StatusLine.onTerminal());
        Optional<Ring> ring = RingRecording.ring(name);
        if (ring.isPresent()) {
            return new RingRecording(ring.get(), file, cursor, grace, options, status).run(spec.commandLine().getOut());
        }
        StreamRecorder[] recorder = new StreamRecorder[1];
        try (SharedMemory shm = SharedMemory.open(name, OpenOptions.readOnly());
             BufferAllocator allocator = new RootAllocator();
             // Ctrl-C or SIGTERM: stop reading at once, and keep the JVM from exiting while the writer
             // still finishes batches (lz4 is slow: a full queue takes seconds to minutes), so the file
             // always gets its footer. Each batch may take its bytes at 1 MB/s before the wait gives up.
             StopSignal stop = new StopSignal(() -> {
                 StreamRecorder running = recorder[0];
                 if (running != null) {
                     running.stop();
                 }
             }, () -> recorder[0] == null ? 0 : recorder[0].stats().fileBytes() + recorder[0].stats().frames(),
                     Duration.ofMillis(options.batchRows() * shm.size() / SLOWEST_WRITE_BYTES_PER_MILLI))) {
            if (cursor != null || grace != null) {
                throw new IllegalArgumentException("--cursor and --grace are for rings; '" + name + "' is a stream");
            }
            options = options.progress(stats -> status.show(line(name, stats)), Duration.ofMillis(250));
            RecordingStats stats;
            try (StreamRecorder opened = StreamRecorder.open(shm, file, options, allocator)) {
                recorder[0] = opened;
                if (stop.raised()) {
                    opened.stop(); // the signal came while the file was being created
                }
                stats = opened.record();
            }
            status.finish();
            PrintWriter out = spec.commandLine().getOut();
            out.println(name + " -> " + file + ": " + line(name, stats).substring(name.length() + 2));
            out.flush();
        }
        return ExitStatus.OK;
    }

    static String line(String name, RecordingStats stats) {
        return String.format(Locale.ROOT, "%s: %d frames, %.1f MB/s, missed %d, %s in %s", name, stats.frames(),
                stats.megabytesPerSecond(), stats.missed(), Units.bytes(stats.fileBytes()),
                Units.seconds(stats.elapsedNanos() / 1e9));
    }

    private static RecordingOptions.Compression codec(String name) {
        if (name == null) {
            return RecordingOptions.Compression.NONE;
        }
        switch (name.toLowerCase(Locale.ROOT)) {
            case "zstd": return RecordingOptions.Compression.ZSTD;
            case "lz4": return RecordingOptions.Compression.LZ4;
            default: throw new IllegalArgumentException("--compression must be zstd or lz4, got " + name);
        }
    }
}

package io.arrowshm.cli.tensors;

import io.arrowshm.Overflow;
import io.arrowshm.Ring;
import io.arrowshm.cli.ExitStatus;
import io.arrowshm.cli.limits.IpcLimitOptions;
import io.arrowshm.cli.watch.StatusLine;
import io.arrowshm.cli.watch.StopSignal;
import io.arrowshm.tensors.ReplayOptions;
import io.arrowshm.tensors.ReplayStats;
import io.arrowshm.tensors.RingReplayer;
import io.arrowshm.tensors.StreamReplayer;
import io.arrowshm.tensors.TensorFileReader;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code arrow-shm replay FILE NAME}: publishes the rows of an Arrow IPC file or stream with a
 * {@code arrow.fixed_shape_tensor} column into a stream (created with the file's dtype and shape,
 * or checked against the existing one), keeping frame ids. The whole file is checked (every
 * batch decoded, within {@code --max-frame-bytes}, {@code --max-batch-rows} and
 * {@code --max-batch-bytes}) before its first row, and again before each {@code --loop} pass; bad
 * input is a one-line error with exit status 2, and the stream is not touched.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {"Publish an Arrow IPC file's tensor rows into a stream, at the recorded pace,",
                "a given rate or as fast as possible (default: recorded pace when the file has write_time)."})
public final class ReplayCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "Arrow IPC file or stream with a fixed_shape_tensor column.")
    private Path file;

    @Parameters(index = "1", paramLabel = "NAME", description = "The stream to publish into.")
    private String name;

    @ArgGroup(exclusive = true)
    private Pace pace;

    @Option(names = "--loop", description = "Start again after the last row, until Ctrl-C (the file is checked again each time).")
    private boolean loop;

    @Option(names = "--ring", description = "Replay into a ring (the default when NAME is one): every row, in order,"
            + " with its frame id; a full BLOCK ring makes the replay wait for its slowest reader.")
    private boolean ring;

    @Option(names = "--capacity", paramLabel = "N", description = "A new ring's slots (default: the recorded ring's, else 16).")
    private Long capacity;

    @Option(names = "--overflow", paramLabel = "POLICY",
            description = "A new ring's policy, block or overwrite (default: the recorded ring's, else block).")
    private String overflow;

    @Mixin
    private IpcLimitOptions limits;

    static final class Pace {
        @Option(names = "--rate", paramLabel = "HZ", description = "Rows per second.")
        Double rate;

        @Option(names = "--original-pace", description = "As recorded (write_time deltas).")
        boolean original;

        @Option(names = "--fast", description = "As fast as possible.")
        boolean fast;
    }

    @Override
    public Integer call() {
        StatusLine status = new StatusLine(System.err, StatusLine.onTerminal());
        try (StopSignal stop = new StopSignal(); BufferAllocator allocator = new RootAllocator()) {
            ReplayOptions options = options(allocator).loop(loop).limits(limits.limits());
            Runnable[] stopper = new Runnable[1];
            options = options.progress(stats -> {
                if (stop.raised()) {
                    stopper[0].run();
                }
                status.show(line(stats));
            }, Duration.ofMillis(250));
            ReplayStats stats;
            if (intoRing()) {
                RingReplayer replayer = new RingReplayer(file, name, options, allocator)
                        .creating(capacity == null ? 0 : capacity, overflow(overflow));
                stopper[0] = replayer::stop;
                stats = replayer.run();
            } else {
                StreamReplayer replayer = new StreamReplayer(file, name, options, allocator);
                stopper[0] = replayer::stop;
                stats = replayer.run();
            }
            status.finish();
            PrintWriter out = spec.commandLine().getOut();
            out.println(file + " -> " + line(stats));
            out.flush();
        }
        return ExitStatus.OK;
    }

    private boolean intoRing() {
        if (ring) {
            return true;
        }
        if (capacity != null || overflow != null) {
            throw new IllegalArgumentException("--capacity and --overflow make a ring: add --ring");
        }
        Optional<Ring> existing = RingRecording.ring(name);
        existing.ifPresent(Ring::close);
        return existing.isPresent();
    }

    private static Overflow overflow(String text) {
        if (text == null) {
            return null;
        }
        switch (text.toLowerCase(Locale.ROOT)) {
            case "block": return Overflow.BLOCK;
            case "overwrite": return Overflow.OVERWRITE;
            default: throw new IllegalArgumentException("--overflow must be block or overwrite, got " + text);
        }
    }

    private ReplayOptions options(BufferAllocator allocator) {
        if (pace != null && pace.rate != null) {
            return ReplayOptions.rate(pace.rate);
        }
        if (pace != null && pace.fast) {
            return ReplayOptions.fast();
        }
        if (pace != null && pace.original) {
            return ReplayOptions.originalPace();
        }
        try (TensorFileReader reader = TensorFileReader.open(file, allocator, limits.limits())) {
            return reader.hasWriteTime() ? ReplayOptions.originalPace() : ReplayOptions.fast();
        }
    }

    private String line(ReplayStats stats) {
        return String.format(Locale.ROOT, "%s: %d frames, %.1f MB/s, %.1f frames/s%s", name, stats.frames(),
                stats.megabytesPerSecond(), stats.framesPerSecond(), loop ? ", pass " + (stats.passes() + 1) : "");
    }
}

package io.arrowshm.cli.watch;

import io.arrowshm.OpenOptions;
import io.arrowshm.Publication;
import io.arrowshm.Ring;
import io.arrowshm.SharedMemory;
import io.arrowshm.StreamTimeoutException;
import io.arrowshm.cli.ExitStatus;
import io.arrowshm.cli.Json;
import io.arrowshm.cli.Units;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code arrow-shm watch NAME}: follows a stream live. A status line on stderr refreshes with
 * the publication rate, write-to-read latency, missed publications and the frame id; when the
 * watch ends (Ctrl-C, {@code --seconds}, {@code --count}) a summary goes to stdout.
 *
 * <p>Reads are level-triggered ({@code readAfterPublication}), so a publication landing while
 * the status line prints is still read; on notify streams the wait parks on the shared futex
 * and the writer wakes it, on others it polls.
 */
@Command(name = "watch", mixinStandardHelpOptions = true,
        description = {"Follow a stream live: publications/s, latency, missed publications, frame id;",
                "or a ring: frames written per second and each cursor's lag (the ring is sampled, not read).",
                "A status line refreshes on stderr; a summary goes to stdout at the end.",
                "Stops on Ctrl-C (exit status 130, after the summary), or after --seconds or --count."})
public final class WatchCommand implements Callable<Integer> {
    /** The longest one wait lasts, so that Ctrl-C and the refresh are never held up for long. */
    private static final long SLICE_NANOS = 100_000_000L;

    @Spec
    private CommandSpec spec;

    @Parameters(paramLabel = "NAME", description = "The stream's name.")
    private String name;

    @Option(names = "--seconds", paramLabel = "S", description = "Stop after S seconds.")
    private Double seconds;

    @Option(names = "--count", paramLabel = "N", description = "Stop after reading N publications.")
    private Long count;

    @Option(names = "--interval", paramLabel = "S", defaultValue = "0.5",
            description = "Status refresh interval in seconds (default ${DEFAULT-VALUE}).")
    private double interval;

    @Option(names = "--json", description = "Print the final summary as one JSON object.")
    private boolean json;

    @Override
    public Integer call() {
        checkPositive(seconds, "--seconds");
        checkPositive(count == null ? null : count.doubleValue(), "--count");
        checkPositive(interval, "--interval");
        long intervalNanos = (long) (interval * 1e9);
        if (!SharedMemory.listStreams().contains(name) && Ring.list().contains(name)) {
            return watchRing(intervalNanos);
        }
        try (StopSignal stop = new StopSignal();
             SharedMemory shm = SharedMemory.open(name, OpenOptions.readOnly())) {
            long start = System.nanoTime();
            long end = seconds == null ? Long.MAX_VALUE : start + (long) (seconds * 1e9);
            long after = shm.count();
            WatchStats stats = new WatchStats(start, after, shm.frameId());
            StatusLine status = new StatusLine(System.err, StatusLine.onTerminal());
            long nextRefresh = start + intervalNanos;
            while (!stop.raised() && System.nanoTime() - end < 0 && (count == null || stats.received() < count)) {
                long now = System.nanoTime();
                long wait = Math.max(1, Math.min(SLICE_NANOS, Math.min(nextRefresh - now, end - now)));
                try (Publication publication = shm.readAfterPublication(after, Duration.ofNanos(wait))) {
                    stats.record(publication, Units.now());
                    after = publication.count();
                } catch (StreamTimeoutException quiet) {
                    // Nothing new in this slice: refresh the line, check the limits, wait again.
                }
                now = System.nanoTime();
                if (now - nextRefresh >= 0) {
                    status.show(stats.status(name, now, shm.count(), shm.notifyEnabled()));
                    nextRefresh = now + intervalNanos;
                }
            }
            status.finish();
            Map<String, Object> summary = stats.summary(name, System.nanoTime(), shm.notifyEnabled());
            PrintWriter out = spec.commandLine().getOut();
            out.println(json ? Json.write(summary) : WatchStats.summaryText(summary));
            out.flush();
        }
        return ExitStatus.OK;
    }

    /** A ring: the write rate and every cursor's lag, sampled; {@code --count} counts frames written. */
    private int watchRing(long intervalNanos) {
        try (StopSignal stop = new StopSignal(); Ring ring = Ring.open(name)) {
            long start = System.nanoTime();
            long end = seconds == null ? Long.MAX_VALUE : start + (long) (seconds * 1e9);
            RingWatch watch = new RingWatch(ring, start);
            StatusLine status = new StatusLine(System.err, StatusLine.onTerminal());
            long nextRefresh = start + intervalNanos;
            long first = ring.writePosition();
            while (!stop.raised() && System.nanoTime() - end < 0
                    && (count == null || ring.writePosition() - first < count)) {
                watch.sample(Math.min(nextRefresh, end));
                long now = System.nanoTime();
                if (now - nextRefresh >= 0) {
                    status.show(watch.status(now));
                    nextRefresh = now + intervalNanos;
                }
            }
            status.finish();
            Map<String, Object> summary = watch.summary(System.nanoTime());
            PrintWriter out = spec.commandLine().getOut();
            out.println(json ? Json.write(summary) : RingWatch.summaryText(summary));
            out.flush();
        }
        return ExitStatus.OK;
    }

    private static void checkPositive(Double value, String option) {
        if (value != null && !(value > 0 && Double.isFinite(value))) {
            throw new IllegalArgumentException(option + " must be a positive number, got " + value);
        }
    }
}

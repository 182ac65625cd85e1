package io.arrowshm.cli.tensors;

import io.arrowshm.CursorOptions;
import io.arrowshm.Ring;
import io.arrowshm.StreamNotFoundException;
import io.arrowshm.cli.ExitStatus;
import io.arrowshm.cli.watch.StatusLine;
import io.arrowshm.cli.watch.StopSignal;
import io.arrowshm.tensors.RecordingOptions;
import io.arrowshm.tensors.RecordingStats;
import io.arrowshm.tensors.RingRecorder;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * {@code arrow-shm record RING FILE [--cursor NAME]}: a ring recorded through a cursor with
 * {@link RingRecorder}, the same progress line and summary as a stream's recording, and
 * {@code cursor NAME at P} on stdout so a script knows where the next recording on it starts.
 */
final class RingRecording {
    private final Ring ring;
    private final Path file;
    private final String cursor;
    private final CursorOptions cursorOptions;
    private final RecordingOptions options;
    private final StatusLine status;

    /** Takes ownership of {@code ring}. */
    RingRecording(Ring ring, Path file, String cursor, Double graceSeconds, RecordingOptions options, StatusLine status) {
        this.ring = ring;
        this.file = file;
        this.cursor = cursor;
        CursorOptions cursorOptions = CursorOptions.defaults();
        if (graceSeconds != null) {
            if (!(graceSeconds >= 0) || graceSeconds.isInfinite()) {
                throw new IllegalArgumentException("--grace must be zero or a positive number of seconds, got "
                        + graceSeconds);
            }
            cursorOptions = cursorOptions.grace(Duration.ofNanos((long) (graceSeconds * 1e9)));
        }
        this.cursorOptions = cursorOptions;
        this.options = options;
        this.status = status;
    }

    /** The ring {@code name}, if there is one (a stream of that name, or nothing, is empty). */
    static Optional<Ring> ring(String name) {
        try {
            return Optional.of(Ring.open(name));
        } catch (StreamNotFoundException none) {
            return Optional.empty();
        }
    }

    int run(PrintWriter out) {
        String name = ring.name();
        RingRecorder[] recorder = new RingRecorder[1];
        try (Ring handle = ring;
             BufferAllocator allocator = new RootAllocator();
             // Ctrl-C or SIGTERM: the recorder stops after the batch it writes (the cursor then stands right
             // after it) and the JVM waits while it finishes the file, as for a stream's recording.
             StopSignal stop = new StopSignal(() -> {
                 RingRecorder running = recorder[0];
                 if (running != null) {
                     running.stop();
                 }
             }, () -> recorder[0] == null ? 0 : recorder[0].stats().fileBytes() + recorder[0].stats().frames(),
                     Duration.ofMillis(options.batchRows() * ring.size() / RecordCommand.SLOWEST_WRITE_BYTES_PER_MILLI))) {
            RecordingOptions withProgress = options.progress(stats -> status.show(RecordCommand.line(name, stats)),
                    Duration.ofMillis(250));
            RecordingStats stats;
            long position;
            String cursorName;
            try (RingRecorder opened = RingRecorder.open(handle, cursor, cursorOptions, file, withProgress, allocator)) {
                recorder[0] = opened;
                if (stop.raised()) {
                    opened.stop(); // the signal came while the file was being created
                }
                stats = opened.record();
                position = opened.position();
                cursorName = opened.cursor();
            }
            status.finish();
            out.println(name + " -> " + file + ": " + RecordCommand.line(name, stats).substring(name.length() + 2));
            if (cursor != null) {
                out.println("cursor " + cursorName + " at " + position);
            }
            out.flush();
        }
        return ExitStatus.OK;
    }
}

package io.arrowshm.cli.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * Drains a child's stderr (so it can never block on a full pipe) and keeps its last
 * non-blank line: what a one-line error message says about why the child failed.
 */
final class LastLine {
    private final Thread pump;
    private volatile String last = "(no output)";

    private LastLine(InputStream stream) {
        this.pump = new Thread(() -> drain(stream), "bench-child-stderr");
        this.pump.setDaemon(true);
        this.pump.start();
    }

    static LastLine of(InputStream stream) {
        return new LastLine(stream);
    }

    /** The last line so far, after waiting briefly for an exiting child's final words. */
    String last() {
        try {
            pump.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return last;
    }

    private void drain(InputStream stream) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (!line.isBlank()) {
                    last = line.strip();
                }
            }
        } catch (IOException ignored) {
            // the child is gone; what was read is all there is
        }
    }
}

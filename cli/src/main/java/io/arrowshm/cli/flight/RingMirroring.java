package io.arrowshm.cli.flight;

import io.arrowshm.Ring;
import io.arrowshm.StreamNotFoundException;
import io.arrowshm.cli.ExitStatus;
import io.arrowshm.cli.watch.StatusLine;
import io.arrowshm.cli.watch.StopSignal;
import io.arrowshm.flight.FlightSource;
import io.arrowshm.flight.MirrorOptions;
import io.arrowshm.flight.RingMirror;
import io.arrowshm.flight.RingMirrorStats;
import java.io.PrintWriter;
import java.util.Locale;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;

/**
 * {@code arrow-shm mirror grpc://HOST:PORT/RING --as LOCAL}: a {@link RingMirror} until Ctrl-C,
 * with a status line (frames, lost, the remote position reached, reconnects).
 */
final class RingMirroring {
    private RingMirroring() {
    }

    /**
     * Whether to mirror a ring: the local name is a ring already, or the server says the remote
     * name is one (asked until it answers, or Ctrl-C: then null).
     */
    static Boolean isRing(FlightSource source, String localName, MirrorOptions options, StopSignal stop,
                          StatusLine status) throws InterruptedException {
        try (Ring local = Ring.open(localName)) {
            return true;
        } catch (StreamNotFoundException none) {
            // ask the server
        }
        long backoff = options.initialBackoff().toMillis();
        while (!stop.raised()) {
            try {
                return RingMirror.remoteIsRing(source, options);
            } catch (FlightRuntimeException e) {
                if (e.status().code() != FlightStatusCode.UNAVAILABLE) {
                    return false; // the stream mirror reports what the server says, and retries as it always has
                }
                status.show(source + " -> " + localName + ": waiting for the server (" + e.getMessage() + ")");
            }
            Thread.sleep(backoff);
            backoff = Math.min(backoff * 2, options.maxBackoff().toMillis());
        }
        return null;
    }

    static int run(FlightSource source, String localName, String cursor, MirrorOptions options, StopSignal stop,
                   StatusLine status, PrintWriter out, PrintWriter err) throws InterruptedException {
        try (RingMirror mirror = RingMirror.start(source, localName, cursor, options)) {
            while (!stop.raised() && mirror.failure().isEmpty()) {
                Thread.sleep(250);
                status.show(line(source, localName, mirror.stats()));
            }
            status.finish();
            out.println(line(source, localName, mirror.stats()));
            out.flush();
            if (mirror.failure().isPresent()) {
                err.println("arrow-shm mirror: " + mirror.failure().get().getMessage());
                err.flush();
                return ExitStatus.STREAM;
            }
        }
        return ExitStatus.OK;
    }

    private static String line(FlightSource source, String localName, RingMirrorStats stats) {
        return String.format(Locale.ROOT, "%s -> %s: %s, %d frames, %.1f MB, lost %d, remote position %d, %d reconnects%s",
                source, localName, stats.connected() ? "connected" : "disconnected", stats.frames(), stats.bytes() / 1e6,
                stats.lost(), stats.remotePosition(), stats.reconnects(),
                stats.connected() ? "" : stats.lastError().map(e -> " (" + e + ")").orElse(""));
    }
}

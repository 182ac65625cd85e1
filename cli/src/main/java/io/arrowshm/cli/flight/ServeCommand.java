package io.arrowshm.cli.flight;

import io.arrowshm.cli.ExitStatus;
import io.arrowshm.cli.watch.StatusLine;
import io.arrowshm.cli.watch.StopSignal;
import io.arrowshm.flight.FlightServerStats;
import io.arrowshm.flight.RingServeOptions;
import io.arrowshm.flight.ServeOptions;
import io.arrowshm.flight.StreamFlightServer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code arrow-shm serve}: an Arrow Flight server over this host's streams, with a status line
 * (clients, frames and MB sent per second) until Ctrl-C.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serve this host's streams over Arrow Flight (gRPC) until Ctrl-C.",
                "Loopback only unless TLS (--tls-cert/--tls-key) or --insecure is given."})
public final class ServeCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--port", defaultValue = "8815", description = "TCP port (default: ${DEFAULT-VALUE}; 0 picks one).")
    private int port;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    private String host;

    @Option(names = "--tls-cert", paramLabel = "F", description = "PEM certificate chain (TLS).")
    private Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "F", description = "PEM private key, PKCS#8 (TLS).")
    private Path tlsKey;

    @Option(names = "--token-file", paramLabel = "F", description = "Require 'authorization: Bearer <token>' with this file's token.")
    private Path tokenFile;

    @Option(names = "--expose", paramLabel = "GLOB", description = "Serve only streams matching GLOB (repeatable).")
    private String[] expose = new String[0];

    @Option(names = "--insecure", description = "Allow plaintext on a non-loopback address.")
    private boolean insecure;

    @Option(names = "--ring-window", paramLabel = "BYTES", description = "Rings: frames sent that a client's durable"
            + " cursor still holds, so a resume with \"after\" within them is exact (default 67108864; at most half the ring).")
    private Long ringWindow;

    @Option(names = "--ring-client-memory", paramLabel = "BYTES",
            description = "Rings: the memory one client's feed may hold, two batches (default 67108864).")
    private Long ringClientMemory;

    @Option(names = "--cursor-grace", paramLabel = "S",
            description = "Rings: how long a durable cursor holds a BLOCK writer back once its client is gone (default 30).")
    private Double cursorGrace;

    private RingServeOptions rings() {
        RingServeOptions rings = RingServeOptions.defaults();
        if (ringWindow != null) {
            rings = rings.window(ringWindow);
        }
        if (ringClientMemory != null) {
            rings = rings.clientMemory(ringClientMemory);
        }
        if (cursorGrace != null) {
            if (!(cursorGrace >= 0) || cursorGrace.isInfinite()) {
                throw new IllegalArgumentException("--cursor-grace must be zero or a positive number of seconds, got "
                        + cursorGrace);
            }
            rings = rings.cursorGrace(Duration.ofNanos((long) (cursorGrace * 1e9)));
        }
        return rings;
    }

    @Override
    public Integer call() throws Exception {
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new ParameterException(spec.commandLine(), "--tls-cert and --tls-key go together");
        }
        ServeOptions options = ServeOptions.defaults().host(host).port(port).expose(expose).insecure(insecure);
        if (tlsCert != null) {
            options = options.tls(tlsCert, tlsKey);
        }
        if (tokenFile != null) {
            options = options.tokenFile(tokenFile);
        }
        options = options.rings(rings());
        StatusLine status = new StatusLine(System.err, StatusLine.onTerminal());
        try (StopSignal stop = new StopSignal(); StreamFlightServer server = StreamFlightServer.start(options)) {
            PrintWriter out = spec.commandLine().getOut();
            out.println("serving " + server.location().getUri() + (options.token().isPresent() ? " (token required)" : ""));
            out.flush();
            FlightServerStats previous = server.stats();
            long previousNanos = System.nanoTime();
            while (!stop.raised()) {
                Thread.sleep(250);
                if (System.nanoTime() - previousNanos >= 1_000_000_000L) {
                    FlightServerStats now = server.stats();
                    double seconds = (System.nanoTime() - previousNanos) / 1e9;
                    status.show(String.format(Locale.ROOT, "%d clients, %.1f frames/s, %.1f MB/s sent; %.1f frames/s received",
                            now.clients(), (now.framesSent() - previous.framesSent()) / seconds,
                            (now.bytesSent() - previous.bytesSent()) / seconds / 1e6,
                            (now.framesReceived() - previous.framesReceived()) / seconds));
                    previous = now;
                    previousNanos = System.nanoTime();
                }
            }
            status.finish();
        }
        return ExitStatus.OK;
    }
}

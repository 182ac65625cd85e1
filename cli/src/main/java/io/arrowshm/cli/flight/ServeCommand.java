package io.arrowshm.cli.flight;

import io.arrowshm.cli.ByteSize;
import io.arrowshm.cli.ExitStatus;
import io.arrowshm.cli.FileFlags;
import io.arrowshm.cli.limits.IpcLimitOptions;
import io.arrowshm.cli.watch.StatusLine;
import io.arrowshm.cli.watch.StopSignal;
import io.arrowshm.flight.FlightServerStats;
import io.arrowshm.flight.PemFiles;
import io.arrowshm.flight.RingServeOptions;
import io.arrowshm.flight.ServeOptions;
import io.arrowshm.flight.StreamFlightServer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code arrow-shm serve}: an Arrow Flight server over this host's streams, with a status line
 * (clients, frames and MB sent per second) until Ctrl-C. Bounded: DoGets and DoPuts at once,
 * the frames DoGets hold, the streams puts create, what a put's batches may declare.
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

    @Option(names = "--ring-window", paramLabel = "SIZE", converter = ByteSize.class, description = "Rings: frames sent"
            + " that a client's durable cursor still holds, so a resume with \"after\" within them is exact (default 64M;"
            + " at most half the ring).")
    private Long ringWindow;

    @Option(names = "--ring-client-memory", paramLabel = "SIZE", converter = ByteSize.class,
            description = "Rings: the memory one client's feed may hold, two batches (default 64M).")
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

    @Option(names = "--max-clients", paramLabel = "N", defaultValue = "32",
            description = "DoGet calls served at once; more are refused (default ${DEFAULT-VALUE}).")
    private int maxClients;

    @Option(names = "--max-send-bytes", paramLabel = "SIZE", converter = ByteSize.class, defaultValue = "128M",
            description = "Frame bytes the DoGets may hold at once: snapshots and rows gRPC has not written (default 128M).")
    private long maxSendBytes;

    @Option(names = "--client-queue-bytes", paramLabel = "SIZE", converter = ByteSize.class, defaultValue = "1M",
            description = "Rows gRPC may queue for one DoGet before it waits for its client (default 1M).")
    private long clientQueueBytes;

    @Option(names = "--max-puts", paramLabel = "N", defaultValue = "4",
            description = "DoPut calls received at once; more are refused (default ${DEFAULT-VALUE}).")
    private int maxPuts;

    @Option(names = "--max-created-bytes", paramLabel = "SIZE", converter = ByteSize.class, defaultValue = "1G",
            description = "Shared memory the streams DoPuts created may take in all (default 1G).")
    private long maxCreatedBytes;

    @Option(names = "--no-create", description = "DoPut publishes into existing streams only; it never creates one.")
    private boolean noCreate;

    @Mixin
    private IpcLimitOptions limits;

    @Override
    public Integer call() throws Exception {
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new ParameterException(spec.commandLine(), "--tls-cert and --tls-key go together");
        }
        ServeOptions options = ServeOptions.defaults().host(host).port(port).expose(expose).insecure(insecure)
                .maxClients(maxClients).maxSendBytes(maxSendBytes).clientQueueBytes(clientQueueBytes).maxPuts(maxPuts).maxCreatedBytes(maxCreatedBytes)
                .createStreams(!noCreate).limits(limits.limits(ServeOptions.DEFAULT_PUT_LIMITS));
        if (tlsCert != null) {
            FileFlags.check("--tls-cert", tlsCert, PemFiles::requireCertificates);
            FileFlags.check("--tls-key", tlsKey, PemFiles::requirePrivateKey);
            options = options.tls(tlsCert, tlsKey);
        }
        if (tokenFile != null) {
            FileFlags.readable("--token-file", tokenFile);
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
                    status.show(String.format(Locale.ROOT, "%d clients, %.1f frames/s, %.1f MB/s sent (%.1f copies/s,"
                            + " %.1f MB held); %.1f frames/s received",
                            now.clients(), (now.framesSent() - previous.framesSent()) / seconds,
                            (now.bytesSent() - previous.bytesSent()) / seconds / 1e6,
                            (now.snapshotsMade() - previous.snapshotsMade()) / seconds, now.frameBytes() / 1e6,
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

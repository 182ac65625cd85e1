package io.arrowshm.cli.flight;

import io.arrowshm.cli.ExitStatus;
import io.arrowshm.cli.FileFlags;
import io.arrowshm.cli.limits.IpcLimitOptions;
import io.arrowshm.cli.watch.StatusLine;
import io.arrowshm.cli.watch.StopSignal;
import io.arrowshm.flight.FlightSource;
import io.arrowshm.flight.MirrorOptions;
import io.arrowshm.flight.MirrorStats;
import io.arrowshm.flight.PemFiles;
import io.arrowshm.flight.StreamMirror;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code arrow-shm mirror grpc://HOST:PORT/NAME [--as LOCAL]}: republishes a remote stream into a
 * local one until Ctrl-C, reconnecting when the server goes away.
 */
@Command(name = "mirror", mixinStandardHelpOptions = true,
        description = {"Republish a stream served over Arrow Flight into a local stream, or keep a local ring a lossless",
                "copy of a remote ring (same capacity and policy), until Ctrl-C.",
                "Reconnects with backoff; a ring resumes right after the last frame it wrote."})
public final class MirrorCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "grpc://HOST:PORT/NAME", description = "The remote stream (grpc+tls:// for TLS).")
    private String address;

    @Option(names = "--as", paramLabel = "LOCAL", description = "Local stream name (default: the remote name).")
    private String local;

    @Option(names = "--token-file", paramLabel = "F", description = "Send 'authorization: Bearer <token>' with this file's token.")
    private Path tokenFile;

    @Option(names = "--tls-root", paramLabel = "F", description = "PEM certificate to trust (grpc+tls://).")
    private Path tlsRoot;

    @Option(names = "--cursor", paramLabel = "NAME", description = "Rings: the server's durable cursor to read through"
            + " (default: mirror:<this host>:<LOCAL>).")
    private String cursor;

    @Mixin
    private IpcLimitOptions limits;

    @Override
    public Integer call() throws Exception {
        FlightSource source;
        try {
            source = FlightSource.parse(address);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        MirrorOptions options = MirrorOptions.defaults().limits(limits.limits());
        if (tokenFile != null) {
            FileFlags.readable("--token-file", tokenFile);
            options = options.tokenFile(tokenFile);
        }
        if (tlsRoot != null) {
            FileFlags.check("--tls-root", tlsRoot, PemFiles::requireCertificates);
            options = options.trustedCertificate(tlsRoot);
        }
        String localName = local != null ? local : source.stream();
        StatusLine status = new StatusLine(System.err, StatusLine.onTerminal());
        try (StopSignal ringStop = new StopSignal()) {
            Boolean ring = RingMirroring.isRing(source, localName, options, ringStop, status);
            if (ring == null) {
                status.finish();
                return ExitStatus.OK; // Ctrl-C before the server answered
            }
            if (ring) {
                return RingMirroring.run(source, localName, cursor, options, ringStop, status, spec.commandLine().getOut(),
                        spec.commandLine().getErr());
            }
        }
        if (cursor != null) {
            throw new IllegalArgumentException("--cursor is for rings; " + source + " is a stream");
        }
        try (StopSignal stop = new StopSignal(); StreamMirror mirror = StreamMirror.start(source, localName, options)) {
            while (!stop.raised() && mirror.failure().isEmpty()) {
                Thread.sleep(250);
                status.show(line(source, localName, mirror.stats()));
            }
            status.finish();
            PrintWriter out = spec.commandLine().getOut();
            out.println(line(source, localName, mirror.stats()));
            out.flush();
            if (mirror.failure().isPresent()) {
                spec.commandLine().getErr().println("arrow-shm mirror: " + mirror.failure().get().getMessage());
                spec.commandLine().getErr().flush();
                return ExitStatus.STREAM;
            }
        }
        return ExitStatus.OK;
    }

    private static String line(FlightSource source, String localName, MirrorStats stats) {
        return String.format(Locale.ROOT, "%s -> %s: %s, %d frames, %.1f MB, %d reconnects%s", source, localName,
                stats.connected() ? "connected" : "disconnected", stats.frames(), stats.bytes() / 1e6,
                stats.reconnects(), stats.connected() ? "" : stats.lastError().map(e -> " (" + e + ")").orElse(""));
    }
}

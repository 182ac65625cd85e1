package io.arrowshm.benchmarks.pingpong;

import com.google.gson.Gson;
import io.arrowshm.CreateOptions;
import io.arrowshm.DType;
import io.arrowshm.Ring;
import io.arrowshm.RingOptions;
import io.arrowshm.SharedMemory;
import io.arrowshm.benchmarks.Rounds;
import io.arrowshm.benchmarks.RunMode;
import io.arrowshm.benchmarks.process.Child;
import io.arrowshm.benchmarks.process.Commands;
import io.arrowshm.benchmarks.process.PythonScripts;
import io.arrowshm.benchmarks.report.RoundTrip;
import io.arrowshm.benchmarks.report.Skipped;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Runs the ping-pong cases as two fresh processes each: this JVM creates the transport (two
 * streams, two rings, or the raw segment), starts the server, then the client, takes the client's
 * summary line, and removes everything whatever happened. With several rounds, every round
 * runs every case once, and a case reports its median round.
 */
public final class PingPongStage {
    private static final List<String> PEER_JVM = List.of("-Xmx256m", "-XX:+UseSerialGC");
    /** Slack for starting two processes on a loaded 2-core machine, beyond the planned measuring time. */
    private static final Duration STARTUP_SLACK = Duration.ofSeconds(90);
    private static final String RESULT = "RESULT ";
    /** Slots of each ring of the ring case: a request/ack exchange never has more than one frame in flight. */
    private static final int RING_CAPACITY = 4;

    private final RunMode mode;
    private final Optional<String> python;
    private final PythonScripts scripts;
    private final Path logs;
    private final Consumer<String> progress;

    public PingPongStage(RunMode mode, Optional<String> python, PythonScripts scripts, Path logs,
            Consumer<String> progress) {
        this.mode = mode;
        this.python = python;
        this.scripts = scripts;
        this.logs = logs;
        this.progress = progress;
    }

    public void run(List<PingPongCase> cases, List<RoundTrip> figures, List<Skipped> skipped) {
        Map<PingPongCase, List<RoundTrip>> rounds = new LinkedHashMap<>();
        Map<PingPongCase, String> failures = new LinkedHashMap<>();
        int total = mode.pingPong().rounds();
        for (int round = 1; round <= total; round++) {
            for (PingPongCase c : cases) {
                if (c.needsPython() && python.isEmpty()) {
                    failures.put(c, "no python3 with pyshmem 1.4.0 found");
                    continue;
                }
                progress.accept("ping-pong " + c.id() + (total > 1 ? " (round " + round + " of " + total + ")" : ""));
                try {
                    RoundTrip measured = run(c, round);
                    rounds.computeIfAbsent(c, k -> new ArrayList<>()).add(measured);
                    progress.accept(String.format("  p50 %.1f us, p99 %.1f us over %d round trips",
                            measured.p50Ns() / 1e3, measured.p99Ns() / 1e3, measured.samples()));
                } catch (RuntimeException e) {
                    failures.put(c, e.getMessage());
                    progress.accept("  no figure: " + e.getMessage());
                }
            }
        }
        for (PingPongCase c : cases) {
            List<RoundTrip> measured = rounds.get(c);
            if (measured == null) {
                skipped.add(new Skipped("round trip " + c.id(), failures.get(c)));
            } else {
                figures.add(medianRound(measured));
            }
        }
    }

    /** The round whose p50 is the median (the lower middle one for an even count), listing every round's p50. */
    static RoundTrip medianRound(List<RoundTrip> rounds) {
        List<Double> p50s = rounds.stream().map(RoundTrip::p50Ns).collect(Collectors.toList());
        RoundTrip m = Rounds.median(rounds, RoundTrip::p50Ns);
        return new RoundTrip(m.caseId(), m.description(), m.payloadBytes(), m.samples(), m.p50Ns(), m.p95Ns(),
                m.p99Ns(), m.meanNs(), m.minNs(), m.maxNs(), p50s);
    }

    /** One round of one case; a failure (a peer that died or overran) comes back as an exception naming its log. */
    private RoundTrip run(PingPongCase c, int round) {
        String base = "arrowshm-pp-" + ProcessHandle.current().pid() + "-" + c.id();
        Path log = logs.resolve("pingpong-" + c.id() + ".log");
        List<SharedMemory> streams = new ArrayList<>();
        List<Ring> rings = new ArrayList<>();
        try {
            if (c.raw()) {
                RawChannel.create(base);
            } else if (c.ring()) {
                for (String suffix : new String[] {"-req", "-ack"}) {
                    rings.add(Ring.create(base + suffix,
                            RingOptions.of(DType.FLOAT32, 128, 128).capacity(RING_CAPACITY)));
                }
            } else {
                for (String suffix : new String[] {"-req", "-ack"}) {
                    streams.add(SharedMemory.create(base + suffix,
                            CreateOptions.of(DType.FLOAT32, 128, 128).notify(c.notifyStream())));
                }
            }
            try (Child server = Child.start(command(c, c.server(), "server", base), c.id() + "-server-" + round, log);
                    Child client = Child.start(command(c, c.client(), "client", base), c.id() + "-client-" + round,
                            log)) {
                Duration budget = mode.pingPong().warmup().plus(mode.pingPong().measure()).plus(STARTUP_SLACK);
                Optional<String> result = client.awaitLine(RESULT, budget);
                if (result.isEmpty()) {
                    throw new IllegalStateException(client.failure() + "; server " + server.failure());
                }
                server.waitFor(Duration.ofSeconds(20));
                LatencySummary s = new Gson().fromJson(result.get().substring(RESULT.length()),
                        LatencySummary.class);
                return new RoundTrip(c.id(), c.description(), Endpoint.BYTES, s.n(), s.p50(), s.p95(), s.p99(),
                        s.mean(), s.min(), s.max(), List.of(s.p50()));
            }
        } finally {
            for (SharedMemory stream : streams) {
                stream.unlink();
            }
            for (Ring ring : rings) {
                ring.close();
                Ring.unlink(ring.name());
            }
            if (c.raw()) {
                RawChannel.delete(base);
            }
        }
    }

    private List<String> command(PingPongCase c, PingPongCase.Peer peer, String role, String base) {
        switch (peer) {
            case RAW_SPIN:
            case RAW_FUTEX:
                return Commands.java(RawPeer.class, PEER_JVM,
                        List.of(role, base, peer == PingPongCase.Peer.RAW_FUTEX ? "futex" : "spin", mode.label()));
            case JAVA_DEFAULT:
            case JAVA_PARK:
                return Commands.java(LibraryPeer.class, PEER_JVM, List.of(role, base + "-req", base + "-ack",
                        peer == PingPongCase.Peer.JAVA_PARK ? "park" : "default", mode.label()));
            case JAVA_RING:
                return Commands.java(RingPeer.class, PEER_JVM,
                        List.of(role, base + "-req", base + "-ack", mode.label()));
            case PYTHON:
                RunMode.PingPong plan = mode.pingPong();
                return Commands.python(python.orElseThrow(), scripts.path(PythonScripts.PING_PONG),
                        List.of(role, base + "-req", base + "-ack", seconds(plan.warmup()), seconds(plan.measure()),
                                Integer.toString(plan.minSamples()), Integer.toString(plan.maxSamples())));
            default:
                throw new IllegalArgumentException("no command for " + peer + " in " + c);
        }
    }

    private static String seconds(Duration duration) {
        return Double.toString(duration.toNanos() / 1e9);
    }
}

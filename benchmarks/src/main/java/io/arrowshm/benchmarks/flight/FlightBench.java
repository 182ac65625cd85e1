package io.arrowshm.benchmarks.flight;

import io.arrowshm.Ring;
import io.arrowshm.SharedMemory;
import io.arrowshm.benchmarks.process.Child;
import io.arrowshm.benchmarks.process.Commands;
import io.arrowshm.benchmarks.process.PythonScripts;
import io.arrowshm.tools.PythonLocator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Arrow Flight, side by side in one run, every role in a process of its own:
 *
 * <ul>
 * <li>throughput: frames/s and MB/s of 64 KiB and 4 MiB uint8 frames received by the same pyarrow
 * client ({@code flight_bench.py get}) from a pyarrow (C++) Flight server sending one-row batches of
 * the recording schema as fast as the client takes them, and from arrow-shm's server fed by a writer
 * process publishing at 1.5 times the rate pyarrow's server just reached (so ours always has a new
 * frame to send; it cannot send more frames than are written); rounds alternate the two servers and
 * the median round is reported;</li>
 * <li>the same pyarrow client reading a BLOCK ring through the same server from a fresh cursor: every
 * frame (lossless), the ring's writer going as fast as the client takes them;</li>
 * <li>fan-out: 1, 4 and 16 pyarrow clients, a process each, on one stream of each server, the
 * aggregate of one common wall-clock window and the server's peak resident memory in it;</li>
 * <li>latency: writer → server → mirror → reader, four processes over loopback, 64 KiB frames at
 * a fixed rate, the writer's wall clock (microseconds) as frame id; p50/p99; for a stream and for
 * a ring (ring mirror, cursors all along).</li>
 * </ul>
 *
 * <pre>{@code
 * benchmarks/flight.sh [--rounds 5] [--seconds 3] [--latency-frames 2000] [--fanout-rounds 3]
 *                      [--only throughput,fanout,latency] [--latency-only] [--client-queue-bytes B] [--out DIR]
 * }</pre>
 * Results: {@code DIR/flight.md} (default {@code benchmarks/target/results}), every process's stderr under {@code DIR/logs/}.
 */
public final class FlightBench {
    private static final Duration START = Duration.ofSeconds(60);
    private static final int LATENCY_BYTES = 64 << 10;
    private static final double LATENCY_FPS = 200;
    private static final int LATENCY_WARMUP = 200;
    /**
     * Our writer publishes at this multiple of the rate pyarrow's server reached in the same round:
     * the server always has a new frame to send, and the writer leaves gaps (a writer that
     * publishes back to back, with no gap, starves every seqlock reader, the server's included).
     */
    private static final double WRITER_HEADROOM = 1.5;
    private static final double WARMUP_SECONDS = 12;
    private static final int[] SIZES = {64 << 10, 4 << 20};
    private static final int[] FANOUT_CLIENTS = {1, 4, 16};
    private static final String THROUGHPUT = "throughput";
    private static final String FANOUT = "fanout";
    private static final String LATENCY = "latency";
    /** Seconds between starting the fan-out clients and the window they all measure: they connect meanwhile. */
    private static final double FANOUT_LEAD_SECONDS = 4;

    private final String python;
    private final PythonScripts scripts;
    private final Path logs;
    private final int rounds;
    private final double seconds;
    private final int latencyFrames;
    private final int fanoutRounds;
    private final String queueBytes;
    /** pyarrow's server's single-client frames/s by frame size, from the throughput rounds (the fan-out writer's pace). */
    private final java.util.Map<Integer, Double> pyarrowRate = new java.util.HashMap<>();

    private FlightBench(String python, PythonScripts scripts, Path logs, int rounds, double seconds, int latencyFrames,
                        int fanoutRounds, String queueBytes) {
        this.python = python;
        this.scripts = scripts;
        this.logs = logs;
        this.rounds = rounds;
        this.seconds = seconds;
        this.latencyFrames = latencyFrames;
        this.fanoutRounds = fanoutRounds;
        this.queueBytes = queueBytes;
    }

    public static void main(String[] args) throws Exception {
        int rounds = 5;
        double seconds = 3;
        int latencyFrames = 2000;
        int fanoutRounds = 3;
        String queueBytes = "-";
        List<String> only = List.of(THROUGHPUT, FANOUT, LATENCY);
        Path out = Path.of("benchmarks/target/results");
        String pythonArg = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Double.parseDouble(args[++i]);
                case "--latency-frames" -> latencyFrames = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--python" -> pythonArg = args[++i];
                case "--fanout-rounds" -> fanoutRounds = Integer.parseInt(args[++i]);
                case "--client-queue-bytes" -> queueBytes = args[++i];
                case "--only" -> only = List.of(args[++i].split(","));
                case "--latency-only" -> only = List.of(LATENCY);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; usage: [--rounds N] [--seconds S] [--latency-frames N] [--fanout-rounds N]"
                        + " [--only throughput,fanout,latency] [--latency-only] [--client-queue-bytes B] [--out DIR]"
                        + " [--python PATH]");
            }
        }
        String python = PythonLocator.find(pythonArg).orElseThrow(
                () -> new IllegalStateException("no python3 with pyarrow; pass --python PATH"));
        Path logs = Files.createDirectories(out.resolve("logs"));
        PythonScripts scripts = PythonScripts.extractTo(Files.createTempDirectory("arrowshm-flight-bench"));
        FlightBench bench = new FlightBench(python, scripts, logs, rounds, seconds, latencyFrames, fanoutRounds,
                queueBytes);

        List<String> report = new ArrayList<>();
        report.add("# Arrow Flight: arrow-shm's server beside pyarrow's C++ server");
        report.add("");
        report.add(String.format(Locale.ROOT, "%s; %d cores, load average %s at the start; JDK %s; %s; median of %d"
                        + " rounds of %.0f s each.", LocalDateTime.now().withNano(0),
                Runtime.getRuntime().availableProcessors(), loadAverage(), System.getProperty("java.version"), python,
                rounds, seconds));
        if (only.contains(THROUGHPUT)) {
            report.add("");
            report.add("| frame | arrow-shm ring (lossless) → pyarrow | arrow-shm stream (latest value) → pyarrow"
                    + " | pyarrow C++ server → pyarrow | ring / C++ | stream / C++ | stream writer (frames/s) |");
            report.add("|---|---:|---:|---:|---:|---:|---:|");
            for (int size : SIZES) {
                report.add(bench.throughput(size));
                System.out.println(report.get(report.size() - 1));
            }
        }
        if (only.contains(FANOUT)) {
            report.add("");
            report.add(String.format(Locale.ROOT, "Fan-out: N pyarrow clients (a process each) on one stream, aggregate"
                    + " over one %.0f s window, median of %d rounds; server RSS is its peak resident memory in the window.",
                    seconds, fanoutRounds));
            report.add("");
            report.add("| frame | clients | arrow-shm: MB/s (frames/s per client), server RSS | pyarrow C++: MB/s"
                    + " (frames/s per client), server RSS | ours / theirs |");
            report.add("|---|---:|---:|---:|---:|");
            for (int size : SIZES) {
                for (String row : bench.fanout(size)) {
                    report.add(row);
                    System.out.println(row);
                }
            }
        }
        if (only.contains(LATENCY)) {
            report.add("");
            report.add(bench.latency());
            System.out.println(report.get(report.size() - 1));
            report.add("");
            report.add(bench.ringLatency());
            System.out.println(report.get(report.size() - 1));
        }
        Files.write(out.resolve("flight.md"), report);
        System.out.println();
        System.out.println(String.join("\n", report));
        System.out.println("\n[flight-bench] results: " + out.resolve("flight.md").toAbsolutePath());
    }

    private String throughput(int size) throws IOException {
        String label = size == 64 << 10 ? "64 KiB" : "4 MiB";
        String name = "arrowshm-flightbench-" + ProcessHandle.current().pid() + "-" + size;
        double[][] ours = new double[rounds][];
        double[][] rings = new double[rounds][];
        double[][] theirs = new double[rounds][];
        double[] writerRates = new double[rounds];
        try (Child server = java("server-" + size, "serve", queueBytes);
             Child pyServer = python("pyarrow-server-" + size, "serve", Integer.toString(size))) {
            String uri = "grpc://127.0.0.1:" + port(server);
            String pyUri = "grpc://127.0.0.1:" + port(pyServer);
            // Round 0 warms both servers up (our JVM's JIT above all: 3 s rounds kept getting faster
            // until about the fourth) and is not counted.
            for (int r = 0; r <= rounds; r++) {
                double length = r == 0 ? Math.max(seconds, WARMUP_SECONDS) : seconds;
                double[] pyarrow = get(pyUri, "x", "client-pyarrow-" + size + "-" + r, length);
                String rate = Double.toString(WRITER_HEADROOM * pyarrow[0]);
                double[] ourRound;
                double writerRate;
                String stream = name + "-" + r;
                try (Child writer = java("writer-" + size + "-" + r, "write", stream, Integer.toString(size), rate)) {
                    expect(writer, "writing");
                    ourRound = get(uri, stream, "client-ours-" + size + "-" + r, length);
                    writer.closeInput();
                    writerRate = Double.parseDouble(expect(writer, "wrote").split(" ")[1]);
                    writer.waitFor(Duration.ofSeconds(10)); // it unlinks its stream on the way out
                } finally {
                    unlinkQuietly(stream);
                }
                double[] ringRound = ringThroughput(uri, name + "-ring-" + r, size, label + "-" + r, length);
                System.out.println(String.format(Locale.ROOT, "[flight-bench] %s round %d%s: ring %.0f frames/s,"
                        + " stream %.0f frames/s (writer %.0f/s), pyarrow %.0f frames/s", label, r,
                        r == 0 ? " (warm-up)" : "", ringRound[0], ourRound[0], writerRate, pyarrow[0]));
                if (r > 0) {
                    theirs[r - 1] = pyarrow;
                    ours[r - 1] = ourRound;
                    rings[r - 1] = ringRound;
                    writerRates[r - 1] = writerRate;
                }
            }
            server.closeInput();
            pyServer.closeInput();
        }
        pyarrowRate.put(size, median(theirs, 0));
        return String.format(Locale.ROOT, "| %s | %.0f frames/s, %.0f MB/s | %.0f frames/s, %.0f MB/s"
                        + " | %.0f frames/s, %.0f MB/s | %.2f | %.2f | %.0f |",
                label, median(rings, 0), median(rings, 1), median(ours, 0), median(ours, 1), median(theirs, 0),
                median(theirs, 1), median(rings, 1) / median(theirs, 1), median(ours, 1) / median(theirs, 1),
                Arrays.stream(writerRates).sorted().toArray()[rounds / 2]);
    }

    /**
     * A BLOCK ring written as fast as the client takes it (64 slots of 64 KiB, 16 of 4 MiB), read
     * by the same pyarrow client from a fresh cursor: every frame, none skipped.
     */
    private double[] ringThroughput(String uri, String ring, int size, String label, double length) {
        String capacity = size == 64 << 10 ? "64" : "16";
        try (Child writer = java("ring-writer-" + label, "write-ring", ring, Integer.toString(size), capacity)) {
            expect(writer, "writing");
            double[] got = get(uri, ring, "client-ring-" + label, length);
            writer.closeInput();
            expect(writer, "wrote");
            writer.waitFor(Duration.ofSeconds(10)); // it unlinks its ring on the way out
            return got;
        } finally {
            Ring.unlink(ring);
        }
    }

    /**
     * N clients (N of {@link #FANOUT_CLIENTS}), a process each, on one stream: pyarrow's server (a
     * batch stream per client), then ours fed by a writer at 1.5 times the single-client rate
     * pyarrow's server reached (so every client always has a new frame to take). All clients count
     * the rows of the same wall-clock window; the server's resident memory is sampled meanwhile.
     */
    private List<String> fanout(int size) throws IOException {
        String label = size == 64 << 10 ? "64 KiB" : "4 MiB";
        String name = "arrowshm-flightbench-fan-" + ProcessHandle.current().pid() + "-" + size;
        double[][][] ours = new double[FANOUT_CLIENTS.length][fanoutRounds][];
        double[][][] theirs = new double[FANOUT_CLIENTS.length][fanoutRounds][];
        try (Child server = java("fan-server-" + size, "serve", queueBytes);
             Child pyServer = python("fan-pyarrow-server-" + size, "serve", Integer.toString(size))) {
            String uri = "grpc://127.0.0.1:" + port(server);
            String pyUri = "grpc://127.0.0.1:" + port(pyServer);
            double single = pyarrowRate.computeIfAbsent(size, s -> get(pyUri, "x", "fan-warm-" + s, WARMUP_SECONDS)[0]);
            String rate = Double.toString(WRITER_HEADROOM * single);
            for (int r = 0; r < fanoutRounds; r++) {
                for (int c = 0; c < FANOUT_CLIENTS.length; c++) {
                    int n = FANOUT_CLIENTS[c];
                    theirs[c][r] = window(pyUri, "x", pyServer, "fan-pyarrow-" + size + "-" + n + "-" + r, n);
                    String stream = name + "-" + n + "-" + r;
                    try (Child writer = java("fan-writer-" + size + "-" + n + "-" + r, "write", stream,
                            Integer.toString(size), rate)) {
                        expect(writer, "writing");
                        ours[c][r] = window(uri, stream, server, "fan-ours-" + size + "-" + n + "-" + r, n);
                        writer.closeInput();
                        writer.waitFor(Duration.ofSeconds(10));
                    } finally {
                        unlinkQuietly(stream);
                    }
                    System.out.println(String.format(Locale.ROOT, "[flight-bench] fan-out %s x%d round %d: ours %.0f MB/s"
                            + " (RSS %.0f MiB), pyarrow %.0f MB/s (RSS %.0f MiB)", label, n, r, ours[c][r][0],
                            ours[c][r][2], theirs[c][r][0], theirs[c][r][2]));
                }
            }
            server.closeInput();
            pyServer.closeInput();
        }
        List<String> rows = new ArrayList<>();
        for (int c = 0; c < FANOUT_CLIENTS.length; c++) {
            int n = FANOUT_CLIENTS[c];
            rows.add(String.format(Locale.ROOT, "| %s | %d | %.0f MB/s (%.0f), %.0f MiB | %.0f MB/s (%.0f), %.0f MiB | %.2f |",
                    label, n, median(ours[c], 0), median(ours[c], 1) / n, median(ours[c], 2),
                    median(theirs[c], 0), median(theirs[c], 1) / n, median(theirs[c], 2),
                    median(ours[c], 0) / median(theirs[c], 0)));
        }
        return rows;
    }

    /** Aggregate MB/s and frames/s of {@code n} clients over one window, and the server's peak RSS (MiB) in it. */
    private double[] window(String uri, String ticket, Child server, String label, int n) {
        double start = System.currentTimeMillis() / 1000.0 + FANOUT_LEAD_SECONDS + 0.15 * n;
        List<Child> clients = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                clients.add(python(label + "-" + i, "get-window", uri, ticket,
                        String.format(Locale.ROOT, "%.3f", start), Double.toString(seconds)));
            }
            long peak = 0;
            double end = start + seconds;
            while (System.currentTimeMillis() / 1000.0 < end) {
                if (System.currentTimeMillis() / 1000.0 >= start) {
                    peak = Math.max(peak, residentBytes(server.pid()));
                }
                sleepMillis(100);
            }
            double mbps = 0;
            double fps = 0;
            for (Child client : clients) {
                client.awaitLine("connected", START).orElseThrow(() -> new IllegalStateException(client.failure()));
                String[] parts = client.awaitLine("", Duration.ofSeconds((long) seconds + 60))
                        .orElseThrow(() -> new IllegalStateException(client.failure())).split(" ");
                fps += Double.parseDouble(parts[0]);
                mbps += Double.parseDouble(parts[1]);
            }
            return new double[] {mbps, fps, peak / (double) (1 << 20)};
        } finally {
            clients.forEach(Child::close);
        }
    }

    private static long residentBytes(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException gone) {
            // the process ended: nothing to sample
        }
        return 0;
    }

    private static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return parts[0] + " / " + parts[1] + " / " + parts[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static void sleepMillis(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String latency() throws IOException {
        String source = "arrowshm-flightbench-lat-" + ProcessHandle.current().pid();
        String local = source + "-mirror";
        try {
            // the reader's "ready": the mirror has connected, so its local stream exists
            String[] result = chainLatency(source, local, "latency", "write-paced", "mirror", "latency");
            return String.format(Locale.ROOT, "Writer → server → mirror → reader (four processes, loopback),"
                    + " 64 KiB frames at %.0f frames/s: p50 %s µs, p99 %s µs (%s frames after %d warm-up frames).",
                    LATENCY_FPS, result[1], result[2], result[3], LATENCY_WARMUP);
        } finally {
            unlinkQuietly(source);
            unlinkQuietly(local);
        }
    }

    /** The same chain on rings: a BLOCK ring, the server's durable cursor, a RingMirror, a reader's cursor. */
    private String ringLatency() throws IOException {
        String source = "arrowshm-flightbench-ringlat-" + ProcessHandle.current().pid();
        String local = source + "-mirror";
        try {
            // the reader's "ready": the mirror has made the local ring and the reader's cursor holds it
            String[] result = chainLatency(source, local, "ring-latency", "write-ring-paced", "mirror-ring",
                    "latency-ring");
            return String.format(Locale.ROOT, "The same on rings (BLOCK, 64 slots; the server's durable cursor,"
                    + " a ring mirror, the reader's cursor; lossless), 64 KiB frames at %.0f frames/s:"
                    + " p50 %s µs, p99 %s µs (%s frames after %d warm-up frames).",
                    LATENCY_FPS, result[1], result[2], result[3], LATENCY_WARMUP);
        } finally {
            Ring.unlink(source);
            Ring.unlink(local);
            Files.deleteIfExists(io.arrowshm.flight.RingMirror.progressFile(local));
        }
    }

    /**
     * Writer → server → mirror → reader, each a process ({@code roles} names them), 64 KiB frames at
     * {@link #LATENCY_FPS}: the reader's "latency p50 p99 samples" line, split.
     */
    private String[] chainLatency(String source, String local, String roles, String writerCommand,
                                  String mirrorCommand, String readerCommand) {
        Duration expected = Duration.ofSeconds((long) ((latencyFrames + LATENCY_WARMUP) / LATENCY_FPS) + 60);
        try (Child server = java(roles + "-server", "serve", queueBytes)) {
            String uri = "grpc://127.0.0.1:" + port(server) + "/" + source;
            try (Child writer = java(roles + "-writer", writerCommand, source, Integer.toString(LATENCY_BYTES),
                    Double.toString(LATENCY_FPS))) {
                expect(writer, "created");
                try (Child mirror = java(roles + "-mirror", mirrorCommand, uri, local);
                     Child reader = java(roles + "-reader", readerCommand, local, Integer.toString(latencyFrames),
                             Integer.toString(LATENCY_WARMUP))) {
                    expect(mirror, "mirroring");
                    expect(reader, "ready");
                    writer.send("go");
                    String[] result = reader.awaitLine("latency", expected)
                            .orElseThrow(() -> new IllegalStateException(reader.failure())).split(" ");
                    mirror.closeInput();
                    writer.closeInput();
                    server.closeInput();
                    return result;
                }
            }
        }
    }

    private double[] get(String uri, String ticket, String label, double seconds) {
        try (Child client = python(label, "get", uri, ticket, Double.toString(seconds))) {
            String[] parts = client.awaitLine("", Duration.ofSeconds((long) seconds + 60))
                    .orElseThrow(() -> new IllegalStateException(client.failure())).split(" ");
            return new double[] {Double.parseDouble(parts[0]), Double.parseDouble(parts[1])};
        }
    }

    private Child java(String label, String... args) {
        return Child.start(Commands.java(FlightBenchPeer.class, List.of("-Xmx1g"), List.of(args)), label,
                logs.resolve("flight-" + label + ".log"));
    }

    private Child python(String label, String... args) {
        return Child.start(Commands.python(python, scripts.path(PythonScripts.FLIGHT), List.of(args)), label,
                logs.resolve("flight-" + label + ".log"));
    }

    private static String port(Child server) {
        return expect(server, "serving").split(" ")[1];
    }

    private static String expect(Child child, String prefix) {
        return child.awaitLine(prefix, START).orElseThrow(() -> new IllegalStateException(
                "no '" + prefix + "' line: " + child.failure()));
    }

    private static void unlinkQuietly(String name) {
        try {
            SharedMemory.unlink(name);
        } catch (RuntimeException ignored) {
            // the peer unlinked it already
        }
    }

    private static double median(double[][] rounds, int column) {
        double[] values = Arrays.stream(rounds).mapToDouble(r -> r[column]).sorted().toArray();
        return values[values.length / 2];
    }
}

package io.arrowshm.benchmarks.report;

import io.arrowshm.benchmarks.jmh.RingPipe;
import java.util.List;
import java.util.Optional;

/** {@code results.md}: the targets with their ratios first, then every figure in tables. */
public final class MarkdownReport {
    static final List<String> SHAPES = List.of("97", "128x128", "1000x1000", "10000x10000");
    static final List<String> OPS = List.of("write", "read", "readInto", "readZeroCopy", "buffer", "lock", "count",
            "nd4jView");
    static final String JDK25 = "@jdk25";
    /** The ring table's rows: implementation ("" for arrow-shm), shape, what, op. */
    static final String[][] RING_ROWS = {
        {"", "97", "pipe, BLOCK: `write(float[])` while a reader thread takes every frame", "ringWriteBlock"},
        {"", "97", "pipe, BLOCK: that reader's `readInto(float[])`", "ringReadBlock"},
        {"", "97", "pipe, OVERWRITE: `write(float[])` while a reader thread takes frames", "ringWriteOverwrite"},
        {"", "97", "pipe, OVERWRITE: that reader's `readInto(float[])` (it may be lapped)", "ringReadOverwrite"},
        {"", "97", "alone: `write(float[])`, a live cursor attached", "ringWrite"},
        {"", "97", "alone: `readInto(float[])`", "ringReadInto"},
        {"", "128x128", "alone: `readInto(float[])`, 64 KiB", "ringReadInto"},
        {"", "97", "alone: zero-copy `lease()`, one element read, `close()`", "ringLease"},
        {"", "128x128", "alone: zero-copy `lease()`, one element read, `close()`, 64 KiB", "ringLease"},
        {"", "97", "for comparison: a stream's `write(float[])` (lock, seqlock, copy)", "write"},
        {"floor", "97", "part: a trivial native call through JNA direct mapping", "jnaDirectCall"},
        {"floor", "97", "part: `Instant.now()`", "instantNow"},
        {"floor", "97", "part: an uncontended atomic increment", "atomicIncrement"},
        {"floor", "97", "part: a full fence", "fullFence"},
    };

    private final StringBuilder out = new StringBuilder();
    private final Results run;

    private MarkdownReport(Results run) {
        this.run = run;
    }

    public static String render(Results run) {
        return new MarkdownReport(run).all();
    }

    private String all() {
        header();
        targets();
        operations();
        memcpy();
        roundTrips();
        rings();
        skipped();
        return out.toString();
    }

    private void header() {
        Machine m = run.machine();
        line("# arrow-shm benchmarks (" + run.mode() + " run, " + m.date() + ")");
        line("");
        line("> " + run.caveat());
        line("");
        line("| machine | |");
        line("|---|---|");
        line("| CPU | " + m.cpuModel() + " (" + m.logicalCpus() + " logical CPUs, " + m.availableProcessors()
                + " available to the JVM) |");
        line("| kernel | " + m.kernel() + " |");
        line("| JDK | " + m.jdk() + "; the JDK 25 column: " + m.jdk25() + " |");
        line("| Python | " + m.python() + ", numpy " + m.numpy() + ", pyshmem " + m.pyshmem() + " |");
        line("| load average (1, 5, 15 min) | start " + m.loadAverageAtStart() + ", end " + m.loadAverageAtEnd() + " |");
        line("| run time | " + String.format("%.0f s", run.seconds()) + " |");
        line("");
    }

    private void targets() {
        line("## Targets (issues #8, #16 and #22; reported, not asserted)");
        line("");
        line("| target | measured | bound | verdict | ratio |");
        line("|---|---:|---:|---|---|");
        for (TargetResult t : run.targets()) {
            String measured = t.ratio() == null ? "-" : TargetResult.format(t.ratio());
            line("| " + t.target() + " | " + measured + " | " + t.bound() + " | **" + t.verdict() + "** | "
                    + t.measure() + " |");
        }
        line("");
    }

    private void operations() {
        line("## One process: time per operation, float32 frames");
        line("");
        line("arrow-shm: JMH mean (AverageTime). pyshmem: median over timed batches. GB/s where the operation "
                + "copies the frame. pyshmem's `readZeroCopy` is `with locked(): read(safe=False)` (it has no "
                + "seqlocked view); its `buffer` is `read(safe=False)` with the lock already held.");
        line("");
        line("| op | shape | arrow-shm, JDK 17 | arrow-shm, JDK 25 | pyshmem | pyshmem / arrow-shm (JDK 17) "
                + "| pyshmem / arrow-shm (JDK 25) |");
        line("|---|---|---:|---:|---:|---:|---:|");
        for (String op : OPS) {
            List<String> shapes = op.equals("lock") || op.equals("count") ? List.of("97")
                    : op.equals("nd4jView") ? List.of("1000x1000") : SHAPES;
            for (String shape : shapes) {
                Optional<OpFigure> java = run.operation("arrow-shm", op, shape);
                Optional<OpFigure> java25 = run.operation("arrow-shm" + JDK25, op, shape);
                Optional<OpFigure> python = run.operation("pyshmem", op, shape);
                line("| " + op + " | " + shape + " | " + cell(java, copies(op)) + " | " + cell(java25, copies(op))
                        + " | " + cell(python, copies(op)) + " | " + ratio(python, java) + " | "
                        + ratio(python, java25) + " |");
            }
        }
        line("");
        line("`nd4jView` is `Nd4jStreams.view` of a 4 MB frame; ND4J's own part, a new array over a data buffer it"
                + " already has, took " + cell(run.operation("nd4j", "nd4jView", "1000x1000"), false) + " (JDK 17) and "
                + cell(run.operation("nd4j" + JDK25, "nd4jView", "1000x1000"), false) + " (JDK 25).");
        line("");
        line("Floor under `lock` and every `write`: `flock(LOCK_EX)` + `flock(LOCK_UN)` on a file through the same kind"
                + " of JNA binding (direct mapping) as the library's lock on JDK 17, " + cell(run.operation("jna-flock", "lock", "97"), false)
                + " (on JDK 25, " + cell(run.operation("jna-flock" + JDK25, "lock", "97"), false) + ").");
        line("");
    }

    private void memcpy() {
        line("## Memory-copy references (single thread, same run)");
        line("");
        line("| shape | bytes | Java direct to direct (ByteBuffer bulk put), JDK 17 / 25 | Java heap to heap "
                + "(System.arraycopy), JDK 17 / 25 | glibc memcpy (address to address) | NumPy copyto |");
        line("|---|---:|---:|---:|---:|---:|");
        for (String shape : SHAPES) {
            Optional<OpFigure> direct = run.operation("java-memcpy", "directToDirect", shape);
            long bytes = direct.map(OpFigure::bytes).orElse(0L);
            line("| " + shape + " | " + bytes + " | " + cell(direct, true) + " / "
                    + cell(run.operation("java-memcpy" + JDK25, "directToDirect", shape), true) + " | "
                    + cell(run.operation("java-memcpy", "heapToHeap", shape), true) + " / "
                    + cell(run.operation("java-memcpy" + JDK25, "heapToHeap", shape), true) + " | "
                    + cell(run.operation("glibc-memcpy", "glibcMemcpy", shape), true) + " | "
                    + cell(run.operation("numpy-memcpy", "copyto", shape), true) + " |");
        }
        line("");
    }

    private void roundTrips() {
        line("## Two processes: 64 KiB request/ack round trip");
        line("");
        line("Two fresh processes per case and round: warm-up, then a calibrated number of round trips, each"
                + " timed by the client; nearest-rank percentiles. With several rounds (the cases interleaved), the"
                + " round with the median p50 is shown, and every round's p50 beside it.");
        line("");
        line("| case | p50 | p95 | p99 | mean | p50 / raw-spin | round trips | p50 of each round | what |");
        line("|---|---:|---:|---:|---:|---:|---:|---|---|");
        Optional<RoundTrip> raw = run.roundTrip("raw-spin");
        for (RoundTrip r : run.roundTrips()) {
            String vsRaw = raw.map(b -> TargetResult.format(r.p50Ns() / b.p50Ns()) + "x").orElse("-");
            line("| " + r.caseId() + " | " + time(r.p50Ns()) + " | " + time(r.p95Ns()) + " | " + time(r.p99Ns())
                    + " | " + time(r.meanNs()) + " | " + vsRaw + " | " + r.samples() + " | " + rounds(r) + " | "
                    + r.description() + " |");
        }
        line("");
        line("![round-trip percentiles](roundtrip.png)");
        line("");
    }

    private void rings() {
        line("## Ring streams (issue #22)");
        line("");
        line("### One JVM: time per operation (JMH mean)");
        line("");
        line("Pipes: two threads, one writing 97-float32 frames into a ring of " + RingPipe.CAPACITY + " slots, one"
                + " taking every frame with `readInto(float[])`; each figure is its own thread's time per operation"
                + " (BLOCK: includes the writer's waits for the reader). Alone: one thread, a BLOCK ring with one live"
                + " blocking cursor, refilled or drained between timed batches.");
        line("");
        line("| operation | frame | JDK 17 | JDK 25 |");
        line("|---|---|---:|---:|");
        for (String[] row : RING_ROWS) {
            String impl = row[0].isEmpty() ? "arrow-shm" : row[0];
            line("| " + row[2] + " | " + (impl.equals("floor") ? "-" : row[1]) + " | " + cell(run.operation(impl, row[3], row[1]), false) + " | "
                    + cell(run.operation(impl + JDK25, row[3], row[1]), false) + " |");
        }
        line("");
        line("The parts, each measured alone: the core's fault barrier is a trivial native call made twice per write"
                + " and twice per read, through JNA on JDK 17 (the JNA figure above) and FFM on JDK 22+ (not shown:"
                + " the benchmarks compile for Java 17); `Instant.now()` stamps each slot's write time; an operation"
                + " guard makes two atomic increments per call; a write makes one full fence after publishing its"
                + " position, a blocking reader one after storing its cursor's.");
        line("");
        line("### Lossless throughput across processes");
        line("");
        line("One writer process, reader processes each taking every frame (checked: sequence number, both ends of the"
                + " frame, the ring's position), fresh processes per case and round; frames/s from the writer's"
                + " measured start to the last reader's receipt of the stop frame. GB/s is the stream's rate (each"
                + " reader receives that much). A ratio divides a case's median round by the reference's median"
                + " round, both from this run; every round's rate is listed.");
        line("");
        line("| frame | readers | transport | frames/s | GB/s | / Agrona (same frame) | / glibc memcpy (hot) "
                + "| / glibc memcpy (ring-sized) | frames/s of each round | what |");
        line("|---|---:|---|---:|---:|---:|---:|---:|---|---|");
        for (Throughput t : run.throughputs()) {
            if (t.transport().equals("glibc-memcpy")) {
                continue;
            }
            String agrona = t.transport().equals("ring") ? throughputRatio(t, "agrona-1r-" + t.frame()) : "-";
            line("| " + t.frame() + " | " + t.readers() + " | " + t.transport() + " | " + rate(t.framesPerSecond())
                    + " | " + String.format("%.2f", t.gigabytesPerSecond()) + " | " + agrona + " | "
                    + throughputRatio(t, "glibc-memcpy-hot-" + t.frame()) + " | "
                    + throughputRatio(t, "glibc-memcpy-ring-sized-" + t.frame()) + " | " + rates(t) + " | "
                    + t.description() + " |");
        }
        line("");
        line("| memcpy reference | frame | copies/s | GB/s | copies/s of each round | what |");
        line("|---|---|---:|---:|---|---|");
        for (Throughput t : run.throughputs()) {
            if (t.transport().equals("glibc-memcpy")) {
                line("| " + t.caseId() + " | " + t.frame() + " | " + rate(t.framesPerSecond()) + " | "
                        + String.format("%.2f", t.gigabytesPerSecond()) + " | " + rates(t) + " | " + t.description()
                        + " |");
            }
        }
        line("");
        line("The 64 KiB request/ack over two rings is `java-ring` in the round-trip table above.");
        line("");
    }

    /** {@code t}'s rate over the reference's, or "-" when the reference is missing. */
    private String throughputRatio(Throughput t, String referenceId) {
        return run.throughput(referenceId).filter(Throughput::valid)
                .map(r -> TargetResult.format(t.framesPerSecond() / r.framesPerSecond()) + "x").orElse("-");
    }

    private static String rates(Throughput t) {
        return t.roundFramesPerSecond().stream().map(MarkdownReport::rate)
                .collect(java.util.stream.Collectors.joining(", "));
    }

    static String rate(double perSecond) {
        if (perSecond >= 1e6) {
            return String.format("%.2f M", perSecond / 1e6);
        } else if (perSecond >= 1e3) {
            return String.format("%.1f k", perSecond / 1e3);
        }
        return String.format("%.0f", perSecond);
    }

    private void skipped() {
        if (run.skipped().isEmpty()) {
            return;
        }
        line("## Cases without a figure");
        line("");
        for (Skipped s : run.skipped()) {
            line("- " + s.what() + ": " + s.reason());
        }
        line("");
    }

    private static String rounds(RoundTrip r) {
        return r.roundP50sNs().stream().map(MarkdownReport::time).collect(java.util.stream.Collectors.joining(", "));
    }

    private static String ratio(Optional<OpFigure> numerator, Optional<OpFigure> denominator) {
        return numerator.isPresent() && denominator.isPresent()
                ? TargetResult.format(numerator.get().nsPerOp() / denominator.get().nsPerOp()) + "x" : "-";
    }

    private static boolean copies(String op) {
        return op.equals("write") || op.equals("read") || op.equals("readInto");
    }

    private static String cell(Optional<OpFigure> figure, boolean bandwidth) {
        if (figure.isEmpty()) {
            return "-";
        }
        OpFigure f = figure.get();
        String text = time(f.nsPerOp());
        if (bandwidth && f.bytes() >= 1_000_000) {
            text += String.format(" (%.1f GB/s)", f.gigabytesPerSecond());
        }
        return text;
    }

    static String time(double nanos) {
        if (nanos < 1_000) {
            return String.format("%.0f ns", nanos);
        } else if (nanos < 1_000_000) {
            return String.format("%.1f µs", nanos / 1e3);
        } else if (nanos < 1_000_000_000) {
            return String.format("%.1f ms", nanos / 1e6);
        }
        return String.format("%.2f s", nanos / 1e9);
    }

    private void line(String text) {
        out.append(text).append('\n');
    }
}

package io.arrowshm.benchmarks.throughput;

import com.google.gson.Gson;
import io.arrowshm.DType;
import io.arrowshm.Ring;
import io.arrowshm.RingOptions;
import io.arrowshm.benchmarks.Rounds;
import io.arrowshm.benchmarks.RunMode;
import io.arrowshm.benchmarks.process.Child;
import io.arrowshm.benchmarks.process.Commands;
import io.arrowshm.benchmarks.report.Skipped;
import io.arrowshm.benchmarks.report.Throughput;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Lossless throughput across processes: for each {@link ThroughputCase} this JVM creates the
 * transport (a BLOCK ring, or the file under Agrona's ring buffer), starts the reader processes,
 * waits until each has attached, then starts the writer process; every reader must report every
 * frame, checked, or the case has no figure. The rate is the writer's measured frames over the
 * time from its measured start to the last reader's receipt of the stop frame. A single-thread
 * glibc memcpy of the large frames runs in a process of its own in every round too, so the
 * ratios compare figures of the same round. Rounds interleave the cases; each reports its
 * median round.
 */
public final class ThroughputStage {
    private static final List<String> PEER_JVM = List.of("-Xmx256m", "-XX:+UseSerialGC");
    /** Starting a JVM per process on a loaded 2-core machine, beyond the planned measuring time. */
    private static final Duration STARTUP_SLACK = Duration.ofSeconds(90);
    private static final Path SHM_DIR = Path.of("/dev/shm");
    private static final String MEMCPY = "glibc-memcpy";

    private final RunMode mode;
    private final Path logs;
    private final Consumer<String> progress;

    public ThroughputStage(RunMode mode, Path logs, Consumer<String> progress) {
        this.mode = mode;
        this.logs = logs;
        this.progress = progress;
    }

    public void run(List<ThroughputCase> cases, List<Throughput> figures, List<Skipped> skipped) {
        Map<String, List<Throughput>> rounds = new LinkedHashMap<>();
        List<Skipped> failures = new ArrayList<>();
        int total = mode.throughput().rounds();
        for (int round = 1; round <= total; round++) {
            String of = total > 1 ? " (round " + round + " of " + total + ")" : "";
            for (ThroughputCase c : cases) {
                progress.accept("throughput " + c.id() + of);
                try {
                    Throughput measured = run(c, round);
                    rounds.computeIfAbsent(c.id(), k -> new ArrayList<>()).add(measured);
                    progress.accept(String.format("  %.0f frames/s, %.2f GB/s over %d frames",
                            measured.framesPerSecond(), measured.gigabytesPerSecond(), measured.frames()));
                } catch (RuntimeException e) {
                    failures.add(new Skipped("throughput " + c.id() + of, e.getMessage()));
                    progress.accept("  no figure: " + e.getMessage());
                }
            }
            progress.accept("throughput " + MEMCPY + " reference" + of);
            try {
                for (Throughput measured : memcpy(round)) {
                    rounds.computeIfAbsent(measured.caseId(), k -> new ArrayList<>()).add(measured);
                }
            } catch (RuntimeException e) {
                failures.add(new Skipped("throughput " + MEMCPY + of, e.getMessage()));
                progress.accept("  no figure: " + e.getMessage());
            }
        }
        for (List<Throughput> measured : rounds.values()) {
            figures.add(medianRound(measured));
        }
        // Every failed round is listed, even where other rounds gave the case its figure: a reader
        // that saw a wrong frame must not hide behind two good rounds.
        skipped.addAll(failures);
    }

    /** The round whose rate is the median (the lower middle one for an even count), listing every round's rate. */
    static Throughput medianRound(List<Throughput> rounds) {
        List<Double> rates = rounds.stream().map(Throughput::framesPerSecond).collect(Collectors.toList());
        Throughput m = Rounds.median(rounds, Throughput::framesPerSecond);
        return new Throughput(m.caseId(), m.transport(), m.frame(), m.frameBytes(), m.readers(), m.framesPerSecond(),
                m.frames(), rates, m.description());
    }

    /** One round of one case; a failure (a peer that died, overran or saw a wrong frame) throws, naming its log. */
    private Throughput run(ThroughputCase c, int round) {
        String name = "arrowshm-tp-" + ProcessHandle.current().pid() + "-" + c.id();
        Path log = logs.resolve("throughput-" + c.id() + ".log");
        Ring ring = null;
        Path file = SHM_DIR.resolve(name);
        List<Child> readers = new ArrayList<>();
        try {
            if (c.transport() == ThroughputCase.Transport.RING) {
                ring = Ring.create(name, RingOptions.of(DType.FLOAT32, c.frame().elements())
                        .capacity(c.frame().slots()));
            } else {
                createZeroed(file, AgronaThroughputPeer.fileBytes(c.frame()));
            }
            for (int i = 0; i < c.readers(); i++) {
                readers.add(Child.start(readerCommand(c, name, i), c.id() + "-reader" + i + "-" + round, log));
            }
            for (Child reader : readers) {
                if (reader.awaitLine(Traffic.READY, STARTUP_SLACK).isEmpty()) {
                    throw new IllegalStateException(reader.failure());
                }
            }
            try (Child writer = Child.start(writerCommand(c, name), c.id() + "-writer-" + round, log)) {
                RunMode.Throughput plan = mode.throughput();
                Duration budget = plan.warmup().plus(plan.measure()).plus(STARTUP_SLACK);
                Traffic.WriterReport wrote = result(writer, budget, Traffic.WriterReport.class);
                long sent = wrote.warmupFrames() + wrote.frames();
                long lastEnd = Long.MIN_VALUE;
                for (Child reader : readers) {
                    Traffic.ReaderReport read = result(reader, STARTUP_SLACK, Traffic.ReaderReport.class);
                    if (read.frames() != sent) {
                        throw new IllegalStateException(reader.label() + " took " + read.frames() + " frames of the "
                                + sent + " written; see " + log);
                    }
                    lastEnd = Math.max(lastEnd, read.endNanos());
                }
                double perSecond = wrote.frames() / ((lastEnd - wrote.startNanos()) / 1e9);
                return new Throughput(c.id(), c.transport().id(), c.frame().label(), c.frame().bytes(), c.readers(),
                        perSecond, wrote.frames(), List.of(perSecond), c.description());
            }
        } finally {
            for (Child reader : readers) {
                reader.close();
            }
            if (ring != null) {
                ring.close();
                Ring.unlink(name);
            }
            deleteQuietly(file);
        }
    }

    /** The memcpy reference of one round: every large frame size, both footprints. */
    private List<Throughput> memcpy(int round) {
        RunMode.Throughput plan = mode.throughput();
        List<String> args = new ArrayList<>(List.of(Long.toString(plan.warmup().toNanos() / 2),
                Long.toString(plan.measure().toNanos() / 2)));
        for (FrameSize size : FrameSize.values()) {
            if (size.large()) {
                args.add(size.label());
            }
        }
        Path log = logs.resolve("throughput-" + MEMCPY + ".log");
        try (Child peer = Child.start(Commands.java(MemcpyPeer.class, PEER_JVM, args), MEMCPY + "-" + round, log)) {
            MemcpyPeer.Report report = result(peer, plan.warmup().plus(plan.measure()).plus(STARTUP_SLACK),
                    MemcpyPeer.Report.class);
            List<Throughput> out = new ArrayList<>();
            for (MemcpyPeer.Rates rates : report.rates()) {
                FrameSize size = FrameSize.of(rates.frame());
                out.add(memcpyFigure(true, size, rates.hot()));
                out.add(memcpyFigure(false, size, rates.ringSized()));
            }
            return out;
        }
    }

    private static Throughput memcpyFigure(boolean hot, FrameSize size, MemcpyPeer.Rate rate) {
        String footprint = hot ? "one frame into one buffer, again and again (both in cache)"
                : "each frame from the next of " + size.slots() + " slots' worth of memory into one buffer";
        return new Throughput(ThroughputCase.memcpyId(hot, size), MEMCPY, size.label(), size.bytes(), 0,
                rate.perSecond(), rate.copies(), List.of(rate.perSecond()), "single-thread glibc memcpy: " + footprint);
    }

    private static <T> T result(Child child, Duration timeout, Class<T> type) {
        Optional<String> line = child.awaitLine(Traffic.RESULT, timeout);
        if (line.isEmpty()) {
            throw new IllegalStateException(child.failure());
        }
        return new Gson().fromJson(line.get().substring(Traffic.RESULT.length()), type);
    }

    private List<String> readerCommand(ThroughputCase c, String name, int index) {
        if (c.transport() == ThroughputCase.Transport.RING) {
            return Commands.java(RingThroughputPeer.class, PEER_JVM,
                    List.of("reader", name, "reader-" + index, c.frame().label()));
        }
        return Commands.java(AgronaThroughputPeer.class, agronaJvm(),
                List.of("reader", SHM_DIR.resolve(name).toString(), c.frame().label()));
    }

    private List<String> writerCommand(ThroughputCase c, String name) {
        RunMode.Throughput plan = mode.throughput();
        List<String> args = new ArrayList<>(List.of("writer",
                c.transport() == ThroughputCase.Transport.RING ? name : SHM_DIR.resolve(name).toString(),
                c.frame().label()));
        args.addAll(new Traffic.Plan(plan.warmup().toNanos(), plan.warmupFrames() ? c.frame().warmupFrames() : 0,
                plan.measure().toNanos(), plan.minFrames()).arguments());
        return c.transport() == ThroughputCase.Transport.RING ? Commands.java(RingThroughputPeer.class, PEER_JVM, args)
                : Commands.java(AgronaThroughputPeer.class, agronaJvm(), args);
    }

    private static List<String> agronaJvm() {
        List<String> options = new ArrayList<>(PEER_JVM);
        options.addAll(AgronaThroughputPeer.JVM_FLAGS);
        return options;
    }

    /** Agrona's file, owner-only and exclusive; the zeros written reserve its pages (a full /dev/shm fails here). */
    private static void createZeroed(Path file, long bytes) {
        try (FileChannel channel = FileChannel.open(file,
                Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            ByteBuffer zeros = ByteBuffer.allocate(1 << 20);
            for (long written = 0; written < bytes; ) {
                zeros.clear().limit((int) Math.min(zeros.capacity(), bytes - written));
                written += channel.write(zeros);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + file, e);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a leftover in /dev/shm is named for this run's pid; nothing else depends on it
        }
    }
}

package io.arrowshm.benchmarks.flight;

import io.arrowshm.CreateOptions;
import io.arrowshm.DType;
import io.arrowshm.OpenOptions;
import io.arrowshm.Publication;
import io.arrowshm.SharedMemory;
import io.arrowshm.Ring;
import io.arrowshm.RingLease;
import io.arrowshm.RingOptions;
import io.arrowshm.RingReader;
import io.arrowshm.RingWriter;
import io.arrowshm.StreamNotFoundException;
import io.arrowshm.StreamTimeoutException;
import io.arrowshm.flight.FlightSource;
import io.arrowshm.flight.MirrorOptions;
import io.arrowshm.flight.RingMirror;
import io.arrowshm.flight.ServeOptions;
import io.arrowshm.flight.StreamFlightServer;
import io.arrowshm.flight.StreamMirror;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The processes of {@link FlightBench}, one role per process so that the writer, the server, the
 * mirror and the reader never share a JVM (or its GC and JIT threads). Each prints one line when
 * it is ready, and runs until its standard input closes (the driver closes it or exits).
 *
 * <pre>
 * serve [QUEUE_BYTES [SEND_BYTES]] -> "serving PORT" (ServeOptions.clientQueueBytes, maxSendBytes)
 * write NAME BYTES FPS           -> "writing", then on stdin EOF "wrote FRAMES_PER_S"
 * write-paced NAME BYTES FPS     -> "created"; after a "go" line writes until stdin closes (frame id = wall clock, µs)
 * mirror URI LOCAL               -> "mirroring"
 * latency NAME N WARMUP          -> "ready", then "latency P50_US P99_US SAMPLES"
 * write-ring NAME BYTES CAPACITY -> "writing": a BLOCK ring written as fast as its slowest cursor lets it;
 *                                   on stdin EOF "wrote FRAMES_PER_S"
 * write-ring-paced NAME BYTES FPS -> "created" (a BLOCK ring of 64); after "go" as write-paced
 * mirror-ring URI LOCAL          -> "mirroring" (a RingMirror)
 * latency-ring NAME N WARMUP     -> "ready" (its cursor attached), then "latency P50_US P99_US SAMPLES"
 * </pre>
 */
public final class FlightBenchPeer {
    private FlightBenchPeer() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "serve" -> serve(args);
            case "write" -> write(args[1], Integer.parseInt(args[2]), Double.parseDouble(args[3]));
            case "write-paced" -> writePaced(args[1], Integer.parseInt(args[2]), Double.parseDouble(args[3]));
            case "mirror" -> mirror(args[1], args[2]);
            case "latency" -> latency(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            case "write-ring" -> writeRing(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            case "write-ring-paced" -> writeRingPaced(args[1], Integer.parseInt(args[2]), Double.parseDouble(args[3]));
            case "mirror-ring" -> mirrorRing(args[1], args[2]);
            case "latency-ring" -> latencyRing(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            default -> throw new IllegalArgumentException("unknown role " + args[0]);
        }
    }

    private static void serve(String[] args) throws IOException {
        ServeOptions options = ServeOptions.defaults().port(0);
        if (args.length > 1 && !args[1].equals("-")) {
            options = options.clientQueueBytes(Long.parseLong(args[1]));
        }
        if (args.length > 2 && !args[2].equals("-")) {
            options = options.maxSendBytes(Long.parseLong(args[2]));
        }
        try (StreamFlightServer server = StreamFlightServer.start(options)) {
            say("serving " + server.port());
            awaitStdinClosed();
        }
    }

    /** Writes at {@code fps} until stdin closes, keeping the average rate without writing back to back for long. */
    private static void write(String name, int bytes, double fps) throws IOException {
        try (SharedMemory shm = SharedMemory.create(name, CreateOptions.of(DType.UINT8, bytes).notify(true))) {
            byte[] frame = new byte[bytes];
            Arrays.fill(frame, (byte) 3);
            AtomicBoolean stop = stopOnStdinClosed();
            say("writing");
            Pacer pacer = new Pacer(fps);
            long frames = 0;
            while (!stop.get()) {
                pacer.awaitNext();
                shm.write(frame, frames++);
            }
            say(String.format(Locale.ROOT, "wrote %.0f", frames / pacer.elapsedSeconds()));
        } finally {
            SharedMemory.unlink(name);
        }
    }

    /**
     * Creates NAME, waits for a "go" line, then writes at FPS until stdin closes, each frame id the
     * wall clock in µs (the reader may miss frames, so it is the driver that says when to stop).
     */
    private static void writePaced(String name, int bytes, double fps) throws IOException {
        try (SharedMemory shm = SharedMemory.create(name, CreateOptions.of(DType.UINT8, bytes).notify(true))) {
            byte[] frame = new byte[bytes];
            shm.write(frame, micros());
            say("created");
            java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(System.in,
                    java.nio.charset.StandardCharsets.UTF_8));
            if (!"go".equals(in.readLine())) {
                return;
            }
            AtomicBoolean stop = stopOnStdinClosed(in);
            Pacer pacer = new Pacer(fps);
            while (!stop.get()) {
                pacer.awaitNext();
                shm.write(frame, micros());
            }
        } finally {
            SharedMemory.unlink(name);
        }
    }

    /** A BLOCK ring written flat out until stdin closes: its slowest cursor (a Flight client's) sets the pace. */
    private static void writeRing(String name, int bytes, int capacity) throws IOException {
        try (Ring ring = Ring.create(name, RingOptions.of(DType.UINT8, bytes).capacity(capacity));
             RingWriter writer = ring.writer()) {
            byte[] frame = new byte[bytes];
            Arrays.fill(frame, (byte) 3);
            AtomicBoolean stop = stopOnStdinClosed();
            say("writing");
            long start = System.nanoTime();
            long frames = 0;
            while (!stop.get()) {
                try {
                    writer.write(frame, frames, Duration.ofMillis(100));
                    frames++;
                } catch (StreamTimeoutException full) {
                    // the client is a whole ring behind: wait on, unless stopped
                }
            }
            say(String.format(Locale.ROOT, "wrote %.0f", frames / ((System.nanoTime() - start) / 1e9)));
        } finally {
            Ring.unlink(name);
        }
    }

    /** As {@link #writePaced}, into a BLOCK ring of 64 slots (frame id = wall clock, µs). */
    private static void writeRingPaced(String name, int bytes, double fps) throws IOException {
        try (Ring ring = Ring.create(name, RingOptions.of(DType.UINT8, bytes).capacity(64));
             RingWriter writer = ring.writer()) {
            byte[] frame = new byte[bytes];
            say("created");
            java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(System.in,
                    java.nio.charset.StandardCharsets.UTF_8));
            if (!"go".equals(in.readLine())) {
                return;
            }
            AtomicBoolean stop = stopOnStdinClosed(in);
            Pacer pacer = new Pacer(fps);
            while (!stop.get()) {
                pacer.awaitNext();
                try {
                    writer.write(frame, micros(), Duration.ofMillis(100));
                } catch (StreamTimeoutException full) {
                    // the chain is a whole ring behind; the next frame is due anyway
                }
            }
        } finally {
            Ring.unlink(name);
        }
    }

    private static void mirrorRing(String uri, String local) throws IOException {
        try (RingMirror mirror = RingMirror.start(FlightSource.parse(uri), local, null, MirrorOptions.defaults())) {
            say("mirroring");
            awaitStdinClosed();
        } finally {
            Ring.unlink(local);
            java.nio.file.Files.deleteIfExists(RingMirror.progressFile(local));
        }
    }

    /** Reads every frame of the ring NAME through a cursor; its frame id is the writer's wall clock in µs. */
    private static void latencyRing(String name, int samples, int warmup) throws InterruptedException {
        Ring ring = openRingWhenCreated(name);
        try (ring; RingReader reader = ring.reader("latency")) {
            say("ready");
            sayLatencies(samples, warmup, () -> {
                try (RingLease frame = reader.lease(Duration.ofSeconds(30))) {
                    return micros() - frame.frameId();
                }
            });
        }
    }

    /** The latency of one frame, in µs, taken as it is read. */
    private interface LatencySource {
        long next() throws InterruptedException;
    }

    /** Reads {@code warmup} frames, then {@code samples} more, and says their p50 and p99. */
    private static void sayLatencies(int samples, int warmup, LatencySource frames) throws InterruptedException {
        for (int i = 0; i < warmup; i++) {
            frames.next();
        }
        long[] latencies = new long[samples];
        for (int n = 0; n < samples; n++) {
            latencies[n] = frames.next();
        }
        Arrays.sort(latencies);
        say(String.format(Locale.ROOT, "latency %d %d %d", latencies[samples / 2],
                latencies[Math.min(samples - 1, (int) Math.floor(samples * 0.99))], samples));
    }

    private static Ring openRingWhenCreated(String name) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try {
                return Ring.open(name);
            } catch (StreamNotFoundException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(10);
            }
        }
    }

    /**
     * A fixed-rate schedule: sleeps until the next frame is due (spinning only the last 100 µs), and
     * after an oversleep catches up at most two periods, so the writer leaves readers gaps.
     */
    private static final class Pacer {
        private final long period;
        private final long start = System.nanoTime();
        private long due;

        Pacer(double fps) {
            this.period = (long) (1e9 / fps);
            this.due = start;
        }

        void awaitNext() {
            long now = System.nanoTime();
            if (now - due > 2 * period) {
                due = now - 2 * period;
            }
            long left;
            while ((left = due - System.nanoTime()) > 0) {
                if (left > 150_000) {
                    java.util.concurrent.locks.LockSupport.parkNanos(left - 100_000);
                } else {
                    Thread.onSpinWait();
                }
            }
            due += period;
        }

        double elapsedSeconds() {
            return (System.nanoTime() - start) / 1e9;
        }
    }

    private static void mirror(String uri, String local) throws IOException {
        try (StreamMirror mirror = StreamMirror.start(FlightSource.parse(uri), local, MirrorOptions.defaults())) {
            say("mirroring");
            awaitStdinClosed();
        } finally {
            SharedMemory.unlink(local);
        }
    }

    /** Reads every new publication of NAME; its frame id is the writer's wall clock in microseconds. */
    private static void latency(String name, int samples, int warmup) throws InterruptedException {
        SharedMemory shm = openWhenCreated(name);
        say("ready");
        try (shm) {
            sayLatencies(samples, warmup, () -> {
                try (Publication p = shm.readNewPublication(Duration.ofSeconds(30))) {
                    return micros() - p.frameId();
                }
            });
        }
    }

    private static SharedMemory openWhenCreated(String name) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try {
                return SharedMemory.open(name, OpenOptions.readOnly());
            } catch (StreamNotFoundException | io.arrowshm.InvalidMetadataException e) {
                // Not there yet, or there but its creator is still writing the metadata (a stream's name
                // appears before its metadata is complete).
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(10);
            }
        }
    }

    private static long micros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    private static void sleepNanos(long nanos) {
        try {
            Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops once the rest of {@code in} (stdin, its first line read) is closed. */
    private static AtomicBoolean stopOnStdinClosed(java.io.BufferedReader in) {
        AtomicBoolean stop = new AtomicBoolean();
        Thread watcher = new Thread(() -> {
            try {
                while (in.readLine() != null) {
                    // until the driver closes our stdin
                }
            } catch (IOException ignored) {
                // an unreadable stdin stops the writer as a closed one does
            }
            stop.set(true);
        }, "stdin-watcher");
        watcher.setDaemon(true);
        watcher.start();
        return stop;
    }

    private static AtomicBoolean stopOnStdinClosed() {
        AtomicBoolean stop = new AtomicBoolean();
        Thread watcher = new Thread(() -> {
            try {
                awaitStdinClosed();
            } catch (IOException ignored) {
                // an unreadable stdin ends the role as a closed one does
            }
            stop.set(true);
        }, "stdin-watcher");
        watcher.setDaemon(true);
        watcher.start();
        return stop;
    }

    private static void awaitStdinClosed() throws IOException {
        while (System.in.read() >= 0) {
            // the driver closes our stdin to stop us
        }
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}

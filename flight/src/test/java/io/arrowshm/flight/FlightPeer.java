package io.arrowshm.flight;

import io.arrowshm.DType;
import io.arrowshm.SharedMemory;
import io.arrowshm.testing.Patterns;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The Java side of the flight tests' other processes, run by {@code PeerProcess.java}: a server
 * (to kill and restart), a paced writer. One command per run; it answers on stdout.
 */
public final class FlightPeer {
    private FlightPeer() {
    }

    /** Writes the most Arrow memory the server held to {@code file} each time it grows (sampled every 2 ms). */
    private static void samplePeak(StreamFlightServer server, Path file) {
        long peak = -1;
        while (true) {
            long now = server.stats().bufferedBytes();
            if (now > peak) {
                peak = now;
                try {
                    java.nio.file.Files.writeString(file, Long.toString(peak));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
            java.util.concurrent.locks.LockSupport.parkNanos(2_000_000);
        }
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "serve": { // PORT [TOKEN_FILE|-] [GLOB|-]: serves until stdin closes or it is killed
                ServeOptions options = ServeOptions.defaults().port(Integer.parseInt(args[1]));
                if (args.length > 2 && !args[2].equals("-")) {
                    options = options.tokenFile(Path.of(args[2]));
                }
                if (args.length > 3 && !args[3].equals("-")) {
                    options = options.expose(args[3]);
                }
                try (StreamFlightServer server = StreamFlightServer.start(options)) {
                    System.out.println("serving " + server.port());
                    System.out.flush();
                    InputStream in = System.in;
                    while (in.read() >= 0) {
                        // the test closes our stdin (or kills us) to stop the server
                    }
                }
                System.out.println("closed");
                break;
            }
            case "serve-rings": { // PORT WINDOW CLIENT_MEMORY GRACE_MILLIS [PEAK_FILE]: the peak Arrow memory goes to PEAK_FILE
                ServeOptions options = ServeOptions.defaults().port(Integer.parseInt(args[1])).rings(RingServeOptions.defaults()
                        .window(Long.parseLong(args[2])).clientMemory(Long.parseLong(args[3]))
                        .cursorGrace(java.time.Duration.ofMillis(Long.parseLong(args[4]))));
                try (StreamFlightServer server = StreamFlightServer.start(options)) {
                    if (args.length > 5) {
                        Thread sampler = new Thread(() -> samplePeak(server, Path.of(args[5])));
                        sampler.setDaemon(true);
                        sampler.start();
                    }
                    System.out.println("serving " + server.port());
                    System.out.flush();
                    while (System.in.read() >= 0) {
                        // the test kills us to stop the server
                    }
                }
                break;
            }
            case "write-paced": { // NAME FPS FRAMES: writes pattern frames, frame id i, at FPS
                try (SharedMemory shm = SharedMemory.open(args[1])) {
                    double fps = Double.parseDouble(args[2]);
                    int frames = Integer.parseInt(args[3]);
                    byte[][] payloads = new byte[4][];
                    for (int i = 0; i < payloads.length; i++) {
                        payloads[i] = Patterns.bytes(shm.dtype(), shm.size(), i);
                    }
                    System.out.println("writing");
                    System.out.flush();
                    long start = System.nanoTime();
                    long period = (long) (1e9 / fps);
                    long worst = 0;
                    long previous = start;
                    for (int i = 0; i < frames; i++) {
                        long due = start + i * period;
                        while (System.nanoTime() < due) {
                            Thread.onSpinWait();
                        }
                        long before = System.nanoTime();
                        shm.write(payloads[i % payloads.length], i);
                        worst = Math.max(worst, System.nanoTime() - before);
                        previous = before;
                    }
                    double seconds = (previous - start) / 1e9;
                    System.out.println(String.format(Locale.ROOT, "done %.1f %.3f", (frames - 1) / seconds, worst / 1e6));
                }
                break;
            }
            case "mirror": { // grpc://HOST:PORT/NAME LOCAL: mirrors, a stats line every 200 ms, until stdin closes
                try (StreamMirror mirror = StreamMirror.start(FlightSource.parse(args[1]), args[2],
                        MirrorOptions.defaults().backoff(java.time.Duration.ofMillis(100), java.time.Duration.ofMillis(500)))) {
                    System.out.println("mirroring");
                    System.out.flush();
                    Thread stats = new Thread(() -> {
                        while (true) {
                            MirrorStats now = mirror.stats();
                            System.out.println("stats connected=" + now.connected() + " frames=" + now.frames()
                                    + " reconnects=" + now.reconnects() + " failed=" + now.failed()
                                    + " error=" + now.lastError().orElse("").replace('\n', ' '));
                            System.out.flush();
                            try {
                                Thread.sleep(200);
                            } catch (InterruptedException e) {
                                return;
                            }
                        }
                    }, "mirror-stats");
                    stats.setDaemon(true);
                    stats.start();
                    InputStream in = System.in;
                    while (in.read() >= 0) {
                        // the test closes our stdin (or kills us) to stop the mirror
                    }
                    stats.interrupt();
                }
                System.out.println("closed");
                break;
            }
            case "create": { // NAME DTYPE DIM...
                long[] shape = java.util.Arrays.stream(args, 3, args.length).mapToLong(Long::parseLong).toArray();
                SharedMemory.create(args[1], DType.fromNumpyName(args[2]), shape).close();
                System.out.println("created");
                break;
            }
            default:
                throw new IllegalArgumentException("unknown command " + args[0]);
        }
    }
}

package io.arrowshm.reliability;

import io.arrowshm.InconsistentStreamException;
import io.arrowshm.OpenOptions;
import io.arrowshm.Publication;
import io.arrowshm.SharedMemory;
import io.arrowshm.StreamTimeoutException;
import io.arrowshm.WaitStrategy;
import java.time.Duration;
import java.util.List;

/** The Java side of the reliability suite, run in child JVMs; answers in stdout lines. */
public final class ReliabilityPeer {
    private ReliabilityPeer() {
    }

    /** Prints "WHAT ok" or "WHAT ExceptionClass: message". */
    private static void probe(String what, Runnable operation) {
        try {
            operation.run();
            System.out.println(what + " ok");
        } catch (RuntimeException e) {
            System.out.println(what + " " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        System.out.flush();
    }

    public static void main(String[] args) {
        String name = args[1];
        switch (args[0]) {
            case "frames-loop": { // NAME WRITER COUNT(0 = until killed)
                int writer = Integer.parseInt(args[2]);
                long limit = Long.parseLong(args[3]);
                try (SharedMemory shm = SharedMemory.open(name)) {
                    // A few frames made up front and cycled: the loop then spends its time in write(),
                    // where a kill is worth testing, and consecutive writes still differ.
                    long[][] frames = new long[4][(int) (shm.size() / 8)];
                    for (int f = 0; f < frames.length; f++) {
                        Frames.fill(frames[f], Frames.seed(writer, f + 1));
                    }
                    for (long i = 1; limit == 0 || i <= limit; i++) {
                        shm.write(frames[(int) (i % frames.length)]);
                        if (i == 1) {
                            System.out.println("writing");
                            System.out.flush();
                        }
                    }
                }
                System.out.println("done");
                break;
            }
            case "frames-read": { // NAME SPINS: checks every new publication until writers go quiet for 2 s
                WaitStrategy strategy = WaitStrategy.spinning(Integer.parseInt(args[2]));
                long torn = 0;
                long reads = 0;
                long inconsistent = 0;
                long nonIncreasing = 0;
                long lastCount = -1;
                try (SharedMemory shm = SharedMemory.open(name, OpenOptions.readOnly().waitStrategy(strategy))) {
                    long[] frame = new long[(int) (shm.size() / 8)];
                    System.out.println("ready");
                    System.out.flush();
                    while (true) {
                        try (Publication p = shm.readNewPublication(Duration.ofSeconds(reads == 0 ? 30 : 2))) {
                            p.payload().nioBuffer(0, (int) shm.size()).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                                    .asLongBuffer().get(frame);
                            reads++;
                            torn += Frames.whole(frame) ? 0 : 1;
                            nonIncreasing += p.count() > lastCount ? 0 : 1;
                            lastCount = p.count();
                        } catch (InconsistentStreamException e) {
                            inconsistent++;
                            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000); // until a writer repairs it
                        } catch (StreamTimeoutException e) {
                            break;
                        }
                    }
                }
                System.out.println("reads " + reads + " torn " + torn + " inconsistent " + inconsistent
                        + " nonincreasing " + nonIncreasing);
                break;
            }
            case "churn": { // NAME HOLD_MICROS: recreates the stream until killed, payload = its instance id repeated
                long holdNanos = Long.parseLong(args[2]) * 1000;
                boolean announced = false;
                while (true) {
                    SharedMemory shm;
                    try {
                        shm = SharedMemory.create(name, io.arrowshm.DType.UINT8, 4096);
                    } catch (io.arrowshm.StreamExistsException e) {
                        SharedMemory.unlink(name);
                        continue;
                    }
                    byte[] id = java.util.HexFormat.of().parseHex(shm.instanceId().orElseThrow());
                    byte[] payload = new byte[4096];
                    for (int i = 0; i < payload.length; i++) {
                        payload[i] = id[i % id.length];
                    }
                    shm.write(payload);
                    if (!announced) {
                        System.out.println("churning");
                        System.out.flush();
                        announced = true;
                    }
                    java.util.concurrent.locks.LockSupport.parkNanos(holdNanos);
                    shm.unlink();
                }
            }
            case "fd-exhaust": { // NAME: opens files until the limit, then tries to create a stream
                // Load everything the attempt will touch first: with no descriptor left, even a
                // class file could not be opened, and the test would see a NoClassDefFoundError.
                try (SharedMemory warm = SharedMemory.create(name, io.arrowshm.DType.UINT8, 16)) {
                    warm.write(new byte[16]);
                    warm.unlink();
                }
                for (String preload : List.of("io.arrowshm.SharedMemoryIoException",
                        "io.arrowshm.SharedMemoryFullException", "io.arrowshm.internal.posix.SegmentExistsException",
                        "io.arrowshm.StreamExistsException", "io.arrowshm.StreamNotFoundException")) {
                    try {
                        Class.forName(preload);
                    } catch (ClassNotFoundException e) {
                        throw new IllegalStateException(e);
                    }
                }
                System.out.println("warmed " + name.length()); // string concatenation bootstrapped too
                List<java.io.FileInputStream> open = new java.util.ArrayList<>();
                try {
                    while (true) {
                        open.add(new java.io.FileInputStream("/dev/null"));
                    }
                } catch (java.io.IOException limitReached) {
                    System.out.println("open files " + open.size());
                }
                try (SharedMemory shm = SharedMemory.create(name, io.arrowshm.DType.UINT8, 16)) {
                    System.out.println("created?!");
                } catch (RuntimeException e) {
                    System.out.println(e.getClass().getSimpleName() + ": " + e.getMessage());
                } finally {
                    for (java.io.FileInputStream in : open) {
                        try {
                            in.close();
                        } catch (java.io.IOException ignored) {
                            // closing /dev/null
                        }
                    }
                }
                boolean leftover = java.nio.file.Files.exists(java.nio.file.Path.of("/dev/shm",
                        io.arrowshm.internal.format.StreamNames.of(name).dataSegment()));
                System.out.println(leftover ? "segment left behind" : "nothing left behind");
                break;
            }
            case "probe": { // NAME: every public operation on a stream with a planted file; one line each
                probe("open", () -> SharedMemory.open(name).close());
                probe("open-read-only", () -> SharedMemory.open(name, OpenOptions.readOnly()).close());
                probe("stat", () -> SharedMemory.stat(name));
                System.out.println("list " + (SharedMemory.listStreams().contains(name) ? "listed" : "absent"));
                probe("unlink", () -> SharedMemory.unlink(name));
                System.out.println("done");
                break;
            }
            case "create-probe": { // NAME: creates (and unlinks) a stream, printing ok or the error
                probe("create", () -> {
                    try (SharedMemory shm = SharedMemory.create(name, io.arrowshm.DType.UINT8, 8)) {
                        shm.write(new byte[8]);
                        shm.unlink();
                    }
                });
                break;
            }
            default:
                throw new IllegalArgumentException(args[0]);
        }
    }
}

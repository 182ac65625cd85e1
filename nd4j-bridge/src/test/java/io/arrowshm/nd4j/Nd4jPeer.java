package io.arrowshm.nd4j;

import io.arrowshm.SharedMemory;
import java.util.concurrent.locks.LockSupport;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The ND4J side of multi-process tests, run in a child JVM by {@code PeerProcess.java}. One
 * command per run; it answers on stdout.
 */
public final class Nd4jPeer {
    private Nd4jPeer() {
    }

    private static String outcome(java.util.function.Supplier<Object> call) {
        try {
            call.get();
            return "returned";
        } catch (RuntimeException e) {
            return e.getClass().getSimpleName();
        }
    }

    private static void truncateData(String name) {
        java.nio.file.Path data = java.nio.file.Path.of("/dev/shm", io.arrowshm.internal.format.StreamNames.of(name)
                .dataSegment());
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(data,
                java.nio.file.StandardOpenOption.WRITE)) {
            channel.truncate(0);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public static void main(String[] args) {
        String command = args[0];
        String name = args[1];
        switch (command) {
            case "uniform-frames": { // NAME MICROS: publishes frames whose elements all equal k = 1, 2, 3 ...
                long pauseNanos = Long.parseLong(args[2]) * 1_000; // between frames, until killed
                try (SharedMemory shm = SharedMemory.open(name)) {
                    INDArray frame = Nd4j.zeros(Nd4jTypes.dataType(shm.dtype()), shm.shape());
                    System.out.println("writing");
                    for (long k = 1; ; k++) {
                        Nd4jStreams.write(shm, frame.assign(k));
                        LockSupport.parkNanos(pauseNanos);
                    }
                }
            }
            case "close-then-use": { // NAME: closes and unlinks under a live view, keeps computing on it
                INDArray view;
                try (SharedMemory shm = SharedMemory.open(name)) {
                    view = Nd4jStreams.view(shm);
                    shm.unlink();
                }
                double total = 0;
                for (int i = 0; i < 200; i++) {
                    view.addi(1);
                    total = view.mmul(view.transpose()).sumNumber().doubleValue();
                    if (i % 50 == 0) {
                        System.gc();
                    }
                }
                System.out.println("ok " + view.getDouble(0, 0) + " " + total);
                break;
            }
            case "truncated-view": { // NAME: truncates the data segment, then asks ND4J to use the mapping
                try (SharedMemory shm = SharedMemory.open(name)) {
                    INDArray view = Nd4jStreams.view(shm);
                    truncateData(name);
                    System.out.println(outcome(() -> Nd4jStreams.readZeroCopy(shm, view, v -> v.sumNumber())));
                    System.out.println(outcome(() -> Nd4jStreams.view(shm)));
                    System.out.println(outcome(() -> Nd4jStreams.readZeroCopy(shm, v -> v.sumNumber())));
                    System.out.println("alive");
                }
                break;
            }
            case "truncated-ring-view": { // NAME: cuts the last two slots off a 4-slot ring, then views them in ND4J
                try (io.arrowshm.Ring ring = io.arrowshm.Ring.open(name);
                     io.arrowshm.RingReader reader = ring.reader("nd4j")) {
                    java.nio.file.Path file = io.arrowshm.internal.posix.Segments.path(
                            io.arrowshm.internal.ring.RingNames.of(name).segment());
                    try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(file,
                            java.nio.file.StandardOpenOption.WRITE)) {
                        channel.truncate(channel.size() - 2 * ring.size());
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                    java.time.Duration second = java.time.Duration.ofSeconds(1);
                    try (io.arrowshm.RingLease first = reader.lease(second)) {
                        System.out.println(outcome(() -> Nd4jRings.view(ring, first).sumNumber()));
                    }
                    try (io.arrowshm.RingBatch rest = reader.leaseBatch(3, second)) {
                        System.out.println(outcome(() -> Nd4jRings.view(ring, rest, 0, 1).sumNumber()));
                        System.out.println(outcome(() -> Nd4jRings.view(ring, rest).sumNumber()));
                    }
                    System.out.println("alive");
                }
                break;
            }
            default:
                throw new IllegalArgumentException("unknown command " + command);
        }
    }
}

package io.arrowshm.interop.suite;

import io.arrowshm.SharedMemory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * This suite's Java peer, run in a child JVM by {@code PeerProcess.java}; the core's
 * {@code JavaPeer} covers the rest (pause-in-write, hold-lock).
 */
public final class InteropPeer {
    private InteropPeer() {
    }

    public static void main(String[] args) throws Exception {
        if (!args[0].equals("write-frames")) {
            throw new IllegalArgumentException("unknown command " + args[0]);
        }
        writeFrames(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]), Path.of(args[4]));
    }

    /** NAME WRITER FRAMES GATE: once GATE exists, writes FRAMES self-checking frames as writer WRITER. */
    private static void writeFrames(String name, int writer, int frames, Path gate) throws InterruptedException {
        try (SharedMemory shm = SharedMemory.open(name)) {
            SelfCheckingFrames check = new SelfCheckingFrames(Math.toIntExact(shm.size() / 4));
            System.out.println("ready");
            while (!Files.exists(gate)) {
                Thread.sleep(1);
            }
            for (int k = 0; k < frames; k++) {
                int seed = SelfCheckingFrames.seed(writer, k);
                shm.write(check.frame(seed), seed);
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(500)); // lets readers in between writes
            }
        }
        System.out.println("done");
    }
}

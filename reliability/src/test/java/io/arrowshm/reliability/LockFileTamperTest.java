package io.arrowshm.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.CreateOptions;
import io.arrowshm.DType;
import io.arrowshm.SharedMemory;
import io.arrowshm.internal.format.StreamNames;
import io.arrowshm.internal.posix.LibC;
import io.arrowshm.testing.Names;
import io.arrowshm.testing.PeerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lock file is deleted and replaced again and again while writers in separate processes
 * contend on one stream; Java and pyshmem readers check every frame. Before the fix a Java
 * writer kept locking the first file for its whole life while pyshmem moved to the new one,
 * and both wrote at once (torn frames).
 *
 * <p>Two tamperers. One takes the lock before each rm or rename, as old pyshmem's unlink did,
 * every 8 ms, against a Java and a pyshmem writer. pyshmem 1.4.0 checks the link count
 * before it waits for the lock, not after, so it can take a file that was replaced while it
 * waited; a Java process excludes it only if it has seen that file (it keeps a replaced file
 * taken for 500 ms). A file that lives for less than a Java writer's gap between two
 * acquisitions is never seen by Java: with replacements every 2 ms this happened about once a
 * run (1 torn frame) on 2 busy cores. No Java-side protocol can close that window; real lock
 * file cleaners run far more rarely than writers acquire. The other tamperer removes the file
 * at any moment, even mid-write, every 2 ms, against two Java writers, which wait for the old
 * file's holder before moving on.
 */
class LockFileTamperTest {
    private static final Duration TIMEOUT = Duration.ofMinutes(Scale.longForm() ? 30 : 3);
    private final String name = Names.unique("tamper");

    @TempDir
    Path lockDir;

    @AfterEach
    void removeStream() {
        SharedMemory.unlink(name);
    }

    @Test
    void javaAndPyshmemWritersFollowALockFileReplacedUnderTheLock() throws Exception {
        contend(true, (env, frames) -> List.of(
                PeerProcess.java(env, ReliabilityPeer.class, "frames-loop", name, "1", frames),
                PeerProcess.python(env, "reliability_peer.py", "frames-loop", name, "2", frames)));
    }

    @Test
    void javaWritersFollowALockFileRemovedAtAnyMoment() throws Exception {
        contend(false, (env, frames) -> List.of(
                PeerProcess.java(env, ReliabilityPeer.class, "frames-loop", name, "1", frames),
                PeerProcess.java(env, ReliabilityPeer.class, "frames-loop", name, "2", frames)));
    }

    interface Writers {
        List<PeerProcess> start(Map<String, String> environment, String frames);
    }

    private void contend(boolean underTheLock, Writers writers) throws Exception {
        int frames = Scale.pick(10_000, 500_000);
        Map<String, String> env = Map.of("PYSHMEM_LOCK_DIR", lockDir.toString());
        Path lockFile = lockDir.resolve(StreamNames.of(name).lockPath().getFileName());
        try (SharedMemory shm = SharedMemory.create(name, CreateOptions.of(DType.INT64, 32 * 1024))) {
            List<PeerProcess> peers = new ArrayList<>(List.of(
                    PeerProcess.java(env, ReliabilityPeer.class, "frames-read", name, "2000"),
                    PeerProcess.python(env, "reliability_peer.py", "frames-read", name)));
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger tampers = new AtomicInteger();
            long pauseNanos = underTheLock ? 8_000_000L : 2_000_000L; // see the class doc
            Thread tamperer = new Thread(() -> tamper(lockFile, underTheLock, pauseNanos, stop, tampers), "tamperer");
            try {
                for (PeerProcess reader : peers) {
                    reader.await("ready", TIMEOUT);
                }
                List<PeerProcess> started = writers.start(env, Integer.toString(frames));
                peers.addAll(started);
                for (PeerProcess writer : started) {
                    writer.await("writing", TIMEOUT);
                }
                tamperer.start();
                for (PeerProcess writer : started) {
                    writer.await("done", TIMEOUT);
                }
                stop.set(true);
                tamperer.join();
                for (PeerProcess reader : peers.subList(0, 2)) {
                    String stats = reader.finish(TIMEOUT).get(0);
                    System.out.println("lock file tampered " + tampers + " times: " + stats);
                    assertTrue(stats.matches("reads [1-9][0-9]* torn 0 inconsistent 0 nonincreasing 0"), stats);
                }
            } finally {
                stop.set(true);
                peers.forEach(PeerProcess::close);
            }
            assertTrue(tampers.get() >= (underTheLock ? 25 : 50), "the lock file was replaced while they wrote: " + tampers);
            assertEquals(2L * frames, shm.count(), "every write counted once");
        }
    }

    /** Removes or replaces the lock file every few milliseconds, optionally holding its flock meanwhile. */
    private static void tamper(Path lockFile, boolean underTheLock, long pauseNanos, AtomicBoolean stop,
                               AtomicInteger tampers) {
        try {
            for (int i = 0; !stop.get(); i++) {
                // Never create the lock file here: a file that only the tamperer made, then replaced, could
                // be opened by a pyshmem writer in between and taken by it after it was replaced, with no
                // Java process ever having seen it; no Java-side protocol can exclude that (see the class doc).
                int fd = -1;
                if (underTheLock) {
                    try {
                        fd = LibC.open(lockFile.toString(), LibC.O_RDWR | LibC.O_CLOEXEC, 0);
                    } catch (com.sun.jna.LastErrorException missing) {
                        LockSupport.parkNanos(2_000_000L); // a writer recreates it on its next acquisition
                        continue;
                    }
                }
                try {
                    if (underTheLock) {
                        LibC.flock(fd, LibC.LOCK_EX);
                    }
                    if (i % 2 == 0) {
                        Files.deleteIfExists(lockFile);
                    } else {
                        Path fresh = Files.createFile(lockFile.resolveSibling("fresh-" + i));
                        Files.move(fresh, lockFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                    }
                    tampers.incrementAndGet();
                } finally {
                    if (underTheLock) {
                        LibC.close(fd); // releases the flock
                    }
                }
                LockSupport.parkNanos(pauseNanos);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}

package io.arrowshm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.testing.JavaPeer;
import io.arrowshm.testing.Names;
import io.arrowshm.testing.Patterns;
import io.arrowshm.testing.PeerProcess;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Two JVMs on one stream: values, the write lock, and a writer killed mid-write. */
class CrossProcessTest {
    private static final Duration PEER_TIMEOUT = Duration.ofSeconds(60);
    private final String name = Names.unique("xproc");

    @AfterEach
    void removeStream() {
        SharedMemory.unlink(name);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void valuesAreExactBetweenJvmsForEveryDtype(DType dtype) {
        try (SharedMemory shm = SharedMemory.create(name, dtype, 5, 7, 3)) {
            byte[] first = Patterns.bytes(dtype, shm.size(), 11);
            shm.write(first);
            try (PeerProcess reader = PeerProcess.java(JavaPeer.class, "read-arrow", name)) {
                assertEquals(List.of(Patterns.sha256(first)), reader.finish(PEER_TIMEOUT));
            }
            try (PeerProcess writer = PeerProcess.java(JavaPeer.class, "write", name, "12")) {
                writer.finish(PEER_TIMEOUT);
            }
            byte[] second = new byte[first.length];
            shm.readInto(second);
            assertArrayEquals(Patterns.bytes(dtype, shm.size(), 12), second);
            assertEquals(2, shm.count());
        }
    }

    @Test
    void aStreamCreatedInAChildOutlivesIt() {
        try (PeerProcess creator = PeerProcess.java(JavaPeer.class, "create-write", name, "uint16", "3", "4", "4")) {
            creator.finish(PEER_TIMEOUT);
        }
        try (SharedMemory shm = SharedMemory.open(name)) {
            assertEquals(DType.UINT16, shm.dtype());
            assertEquals(1, shm.count());
            byte[] bytes = new byte[32];
            shm.readInto(bytes);
            assertArrayEquals(Patterns.bytes(DType.UINT16, 32, 3), bytes);
        }
    }

    @Test
    void lockHeldInAnotherJvmMakesTimedAcquireTimeOut() {
        try (SharedMemory shm = SharedMemory.create(name, DType.UINT8, 16);
             PeerProcess holder = PeerProcess.java(JavaPeer.class, "hold-lock", name, "1500")) {
            holder.await("locked", PEER_TIMEOUT);
            long start = System.nanoTime();
            assertThrows(StreamTimeoutException.class, () -> shm.acquire(Duration.ofMillis(200)));
            long waitedMs = (System.nanoTime() - start) / 1_000_000;
            assertTrue(waitedMs >= 190, "waited " + waitedMs + " ms");
            holder.await("released", PEER_TIMEOUT);
            shm.acquire(Duration.ofSeconds(10));
            shm.release();
        }
    }

    @Test
    void lockHeldHereMakesTheOtherJvmTimeOut() {
        try (SharedMemory shm = SharedMemory.create(name, DType.UINT8, 16)) {
            try (var held = shm.locked();
                 PeerProcess contender = PeerProcess.java(JavaPeer.class, "try-lock", name, "200")) {
                String answer = contender.nextLine(PEER_TIMEOUT);
                assertTrue(answer.startsWith("timeout"), answer);
            }
            try (PeerProcess contender = PeerProcess.java(JavaPeer.class, "try-lock", name, "5000")) {
                assertEquals(List.of("acquired"), contender.finish(PEER_TIMEOUT));
            }
        }
    }

    @Test
    void writerKilledInsideTheCopyLeavesAnInconsistentStreamUntilTheNextWrite() {
        try (SharedMemory shm = SharedMemory.create(name, DType.INT32, 1024, 1024)) {
            shm.write(Patterns.bytes(DType.INT32, shm.size(), 1));
            try (PeerProcess writer = PeerProcess.java(JavaPeer.class, "pause-in-write", name, "2")) {
                writer.await("paused", PEER_TIMEOUT);
                assertEquals(1, shm.writeSequence() & 1, "the writer is inside its write");
                writer.kill();
            }
            byte[] target = new byte[(int) shm.size()];
            InconsistentStreamException dead = assertThrows(InconsistentStreamException.class,
                    () -> shm.readInto(target));
            assertTrue(dead.getMessage().contains("exited during a write"), dead.getMessage());
            assertTrue(shm.writeSequence() < 0, "the dead generation is marked invalid");
            try (SharedMemory other = SharedMemory.open(name)) {
                InconsistentStreamException invalid = assertThrows(InconsistentStreamException.class,
                        () -> other.readInto(target));
                assertTrue(invalid.getMessage().contains("incomplete write"), invalid.getMessage());
            }
            shm.acquire(Duration.ofSeconds(5)); // the kernel released the dead writer's flock
            shm.release();

            shm.write(Patterns.bytes(DType.INT32, shm.size(), 3));
            shm.readInto(target);
            assertArrayEquals(Patterns.bytes(DType.INT32, shm.size(), 3), target);
            assertTrue(stable(shm.writeSequence()), "even and non-negative again");
            assertEquals(2, shm.count(), "the dead write never counted");
        }
    }

    /**
     * Found by the reliability suite: a lock user after the dead writer (acquire/release, no
     * write) resets lock_owner_pid to 0, which once left readers waiting forever on an odd
     * sequence. Now the lock user invalidates the abandoned write, and readers also ask the
     * lock rather than trust the owner PID.
     */
    @Test
    void aLockUserAfterADeadWriterDoesNotHideIt() {
        try (SharedMemory shm = SharedMemory.create(name, DType.INT32, 1024)) {
            shm.write(Patterns.bytes(DType.INT32, shm.size(), 1));
            try (PeerProcess writer = PeerProcess.java(JavaPeer.class, "pause-in-write", name, "2")) {
                writer.await("paused", PEER_TIMEOUT);
                writer.kill();
            }
            try (PeerProcess locker = PeerProcess.java(JavaPeer.class, "hold-lock", name, "10")) {
                locker.finish(PEER_TIMEOUT);
            }
            assertTrue(shm.writeSequence() < 0, "the lock user marked the dead write invalid");
            assertThrows(InconsistentStreamException.class, () -> shm.read(Duration.ofSeconds(10)).close());
            shm.write(Patterns.bytes(DType.INT32, shm.size(), 3));
            byte[] target = new byte[(int) shm.size()];
            shm.readInto(target);
            assertArrayEquals(Patterns.bytes(DType.INT32, shm.size(), 3), target);
        }
    }

    @Test
    void readersFindADeadWriterWhoseOwnerPidWasErased() throws Exception {
        try (SharedMemory shm = SharedMemory.create(name, DType.INT32, 1024)) {
            shm.write(Patterns.bytes(DType.INT32, shm.size(), 1));
            try (PeerProcess writer = PeerProcess.java(JavaPeer.class, "pause-in-write", name, "2")) {
                writer.await("paused", PEER_TIMEOUT);
                writer.kill();
            }
            // What a pyshmem lock user leaves behind: odd sequence, no owner.
            java.nio.file.Path meta = io.arrowshm.internal.posix.Segments.path(
                    io.arrowshm.internal.format.StreamNames.of(name).metaSegment());
            try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(meta,
                    java.nio.file.StandardOpenOption.WRITE)) {
                channel.write(java.nio.ByteBuffer.allocate(12), 64); // lock_owner_pid and lock_depth
            }
            assertEquals(1, shm.writeSequence() & 1);
            assertThrows(InconsistentStreamException.class, () -> shm.read(Duration.ofSeconds(10)).close());
            assertTrue(shm.writeSequence() < 0);
        }
    }

    @Test
    void writerKilledDuringARealLargeCopyNeverYieldsATornFrame() {
        try (SharedMemory shm = SharedMemory.create(name, DType.UINT8, 256L << 20)) {
            byte[] clean = Patterns.bytes(DType.UINT8, shm.size(), 5);
            shm.write(clean);
            byte[] target = new byte[(int) shm.size()];
            boolean killedMidWrite = false;
            for (int attempt = 0; attempt < 20 && !killedMidWrite; attempt++) {
                try (PeerProcess writer = PeerProcess.java(JavaPeer.class, "write-loop", name, "6")) {
                    writer.await("writing", PEER_TIMEOUT);
                    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                    while ((shm.writeSequence() & 1) == 0 && System.nanoTime() < deadline) {
                        Thread.onSpinWait();
                    }
                    writer.kill();
                }
                long sequence = shm.writeSequence();
                if ((sequence & 1) == 1) {
                    killedMidWrite = true;
                    assertThrows(InconsistentStreamException.class, () -> shm.readInto(target));
                } else {
                    // The kill landed between two writes: the frame must be complete.
                    shm.readInto(target);
                    assertArrayEquals(Patterns.bytes(DType.UINT8, shm.size(), 6), target);
                }
                shm.write(clean);
            }
            assertTrue(killedMidWrite, "no kill landed inside a 256 MiB copy in 20 attempts");
            shm.readInto(target);
            assertArrayEquals(clean, target);
        }
    }

    private static boolean stable(long sequence) {
        return sequence >= 0 && (sequence & 1) == 0;
    }
}

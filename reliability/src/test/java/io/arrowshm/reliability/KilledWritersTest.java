package io.arrowshm.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.DType;
import io.arrowshm.InconsistentStreamException;
import io.arrowshm.SharedMemory;
import io.arrowshm.testing.Names;
import io.arrowshm.testing.PeerProcess;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.arrow.memory.ArrowBuf;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Writers (Java and pyshmem) SIGKILLed at random points while writing large self-checking
 * frames, with readers in both languages running throughout. Every read is a whole frame or
 * an InconsistentStreamException; the next write repairs the stream; the lock is never left held.
 */
class KilledWritersTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** 16 MiB frames: a copy takes milliseconds, so random kills land inside it. */
    private static final int FRAME_LONGS = 2 << 20;
    private final String name = Names.unique("killed");

    @AfterEach
    void removeStream() {
        SharedMemory.unlink(name);
    }

    @Test
    void javaWritersKilledAtRandomPoints() throws Exception {
        killWriters(Scale.pick(30, 1000), false);
    }

    @Test
    void pyshmemWritersKilledAtRandomPoints() throws Exception {
        killWriters(Scale.pick(15, 500), true);
    }

    private void killWriters(int kills, boolean python) throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        try (SharedMemory shm = SharedMemory.create(name, DType.INT64, FRAME_LONGS)) {
            long[] frame = new long[FRAME_LONGS];
            Frames.fill(frame, Frames.seed(0, 1));
            shm.write(frame);
            JavaReader javaReader = new JavaReader(name);
            javaReader.start();
            int midWrite = 0;
            try (PeerProcess pythonReader = PeerProcess.python("reliability_peer.py", "frames-read", name)) {
                pythonReader.await("ready", TIMEOUT);
                for (int kill = 0; kill < kills; kill++) {
                    try (PeerProcess writer = python
                            ? PeerProcess.python("reliability_peer.py", "frames-loop", name, Integer.toString(kill + 1), "0")
                            : PeerProcess.java(ReliabilityPeer.class, "frames-loop", name, Integer.toString(kill + 1), "0")) {
                        writer.await("writing", TIMEOUT);
                        Thread.sleep(random.nextInt(40));
                        writer.kill();
                    }
                    midWrite += (shm.writeSequence() & 1) != 0 || shm.writeSequence() < 0 ? 1 : 0;
                    shm.acquire(Duration.ofSeconds(10)); // the kernel released the dead writer's flock
                    shm.release();
                    checkOneRead(shm, frame, seed);
                }
                Frames.fill(frame, Frames.seed(0, 2));
                shm.write(frame); // repairs whatever the last kill left
                String stats = pythonReader.finish(TIMEOUT).get(0);
                assertTrue(stats.contains(" torn 0 "), "pyshmem reader (seed " + seed + "): " + stats);
            } finally {
                javaReader.stop();
            }
            assertEquals(0, javaReader.torn.get(), "Java reader saw torn frames (seed " + seed + ")");
            assertTrue(javaReader.reads.get() > 0, "the Java reader read");
            shm.readInto(frame);
            assertTrue(Frames.whole(frame), "the final write repaired the stream");
            System.out.printf("killed %s writers: %d kills, %d inside a write; Java reader %d reads, %d inconsistent%n",
                    python ? "pyshmem" : "Java", kills, midWrite, javaReader.reads.get(), javaReader.inconsistent.get());
        }
    }

    /** A read right after a kill: a whole frame, or the inconsistency the kill left. */
    private static void checkOneRead(SharedMemory shm, long[] frame, long seed) {
        try (ArrowBuf copy = shm.read(Duration.ofSeconds(10))) { // bounded: a hang is a failure, not a stuck build
            copy.nioBuffer(0, FRAME_LONGS * 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(frame);
            assertTrue(Frames.whole(frame), "torn frame after a kill (seed " + seed + ")");
        } catch (InconsistentStreamException expected) {
            assertTrue(shm.writeSequence() < 0, "inconsistent means an invalid generation");
        }
    }

    /** Reads continuously in this JVM while writers come and die. */
    private static final class JavaReader implements Runnable {
        final AtomicLong reads = new AtomicLong();
        final AtomicLong torn = new AtomicLong();
        final AtomicLong inconsistent = new AtomicLong();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final String name;
        private final Thread thread;
        private volatile Throwable failure;

        JavaReader(String name) {
            this.name = name;
            this.thread = new Thread(this, "killed-writers-reader");
        }

        void start() {
            thread.start();
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join(30_000);
            assertTrue(!thread.isAlive(), "the reader hung");
            if (failure != null) {
                throw new AssertionError("reader failed", failure);
            }
        }

        @Override
        public void run() {
            long[] frame = new long[FRAME_LONGS];
            try (SharedMemory reader = SharedMemory.open(name)) {
                while (running.get()) {
                    try (ArrowBuf copy = reader.read(Duration.ofSeconds(10))) {
                        copy.nioBuffer(0, FRAME_LONGS * 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(frame);
                        reads.incrementAndGet();
                        torn.addAndGet(Frames.whole(frame) ? 0 : 1);
                    } catch (InconsistentStreamException e) {
                        inconsistent.incrementAndGet();
                        Thread.sleep(1);
                    }
                }
            } catch (Throwable t) {
                failure = t;
            }
        }
    }

}

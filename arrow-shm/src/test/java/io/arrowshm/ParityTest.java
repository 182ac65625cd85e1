package io.arrowshm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.arrowshm.internal.format.StreamNames;
import io.arrowshm.internal.posix.Segments;
import io.arrowshm.testing.JavaPeer;
import io.arrowshm.testing.Names;
import io.arrowshm.testing.Patterns;
import io.arrowshm.testing.PeerProcess;
import io.arrowshm.testing.PrivateShm;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.arrow.memory.ArrowBuf;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** pyshmem 1.4.0's API beyond the seed, Java to Java: publications, notify, write views, discovery, lockedMany. */
class ParityTest {
    private static final Duration PEER_TIMEOUT = Duration.ofSeconds(60);
    private final String name = Names.unique("parity");
    private final String other = Names.unique("parity-b");

    @AfterEach
    void removeStreams() {
        SharedMemory.unlink(name);
        SharedMemory.unlink(other);
    }

    @Test
    void publicationsCarryFrameIdCountAndTimeOfOneGeneration() {
        try (SharedMemory shm = SharedMemory.create(name, DType.INT32, 4)) {
            try (PeerProcess writer = PeerProcess.java(JavaPeer.class, "write-frame", name, "3", "18446744073709551615")) {
                writer.finish(PEER_TIMEOUT);
            }
            try (Publication p = shm.readPublication()) {
                assertEquals(1, p.count());
                assertEquals(-1L, p.frameId(), "u64 max round-trips");
                assertTrue(p.writeTime() > 1.7e9);
                byte[] bytes = new byte[16];
                p.payload().getBytes(0, bytes);
                assertArrayEquals(Patterns.bytes(DType.INT32, 16, 3), bytes);
            }
            shm.write(Patterns.bytes(DType.INT32, 16, 4), 77);
            try (PeerProcess reader = PeerProcess.java(JavaPeer.class, "read-publication", name)) {
                assertEquals(List.of("2 77 " + Patterns.sha256(Patterns.bytes(DType.INT32, 16, 4))),
                        reader.finish(PEER_TIMEOUT));
            }
            shm.clear();
            assertEquals(77, shm.frameId(), "clear() leaves the frame id");
        }
    }

    @Test
    void waitForCountIsLevelTriggeredAcrossProcesses() {
        try (SharedMemory shm = SharedMemory.create(name, DType.UINT8, 8)) {
            shm.write(new byte[8]);
            assertEquals(1, shm.waitForCount(0, Duration.ZERO), "already past: returns at once");
            try (PeerProcess waiter = PeerProcess.java(JavaPeer.class, "wait-count", name, "2", "20000")) {
                waiter.await("ready", PEER_TIMEOUT);
                shm.write(new byte[8]);
                shm.write(new byte[8]);
                assertEquals(List.of("3"), waiter.finish(PEER_TIMEOUT));
            }
            StreamTimeoutException timeout = assertThrows(StreamTimeoutException.class,
                    () -> shm.waitForCount(3, Duration.ofMillis(20)));
            assertTrue(timeout.getMessage().contains("to pass count 3"), timeout.getMessage());
            assertThrows(IllegalArgumentException.class, () -> shm.waitForCount(-1, Duration.ZERO));
            try (ArrowBuf after = shm.readAfter(2, Duration.ofSeconds(1));
                 Publication p = shm.readAfterPublication(2, Duration.ofSeconds(1))) {
                assertEquals(8, after.capacity());
                assertEquals(3, p.count());
            }
        }
    }

    @Test
    void notifyWakesAParkedReaderInAnotherJvmWellBeforeThe50msCap() throws Exception {
        try (SharedMemory shm = SharedMemory.create(name, CreateOptions.of(DType.FLOAT32, 16).notify(true));
             PeerProcess reader = PeerProcess.java(JavaPeer.class, "wait-latency", name, "15", "0")) {
            assertTrue(shm.notifyEnabled());
            assertEquals("ready true", reader.nextLine(PEER_TIMEOUT));
            List<Double> latencies = new ArrayList<>();
            for (int i = 0; i < 15; i++) {
                Thread.sleep(30 + 7 * (i % 5)); // let the reader park on the futex (spins 0)
                shm.write(new float[16]);
                latencies.add(Double.parseDouble(reader.nextLine(PEER_TIMEOUT).substring(4)));
            }
            reader.await("done", PEER_TIMEOUT);
            Collections.sort(latencies);
            // A missed wake would cost up to the 50 ms park cap (median ~25 ms): demand far less.
            assertTrue(latencies.get(latencies.size() / 2) < 10_000, "wake latencies (us): " + latencies);
        }
    }

    @Test
    void writeViewPublishesZeroCopyAndAbortsOnClose() {
        try (SharedMemory shm = SharedMemory.create(name, DType.UINT8, 1024)) {
            shm.write(Patterns.bytes(DType.UINT8, 1024, 1));
            try (PeerProcess writer = PeerProcess.java(JavaPeer.class, "view-publish", name, "2", "9")) {
                writer.finish(PEER_TIMEOUT);
            }
            try (Publication p = shm.readPublication()) {
                assertEquals(9, p.frameId());
                byte[] bytes = new byte[1024];
                p.payload().getBytes(0, bytes);
                assertArrayEquals(Patterns.bytes(DType.UINT8, 1024, 2), bytes);
            }
            try (PeerProcess writer = PeerProcess.java(JavaPeer.class, "view-abort", name)) {
                writer.finish(PEER_TIMEOUT);
            }
            assertTrue(shm.writeSequence() < 0, "an aborted view publishes an invalid generation");
            assertThrows(InconsistentStreamException.class, () -> shm.readInto(new byte[1024]));
            try (WriteView view = shm.writeView(Duration.ofSeconds(1))) {
                view.buffer().setBytes(0, Patterns.bytes(DType.UINT8, 1024, 3));
                view.publish();
                assertThrows(IllegalStateException.class, view::publish);
            }
            byte[] bytes = new byte[1024];
            shm.readInto(bytes);
            assertArrayEquals(Patterns.bytes(DType.UINT8, 1024, 3), bytes);
            assertEquals(3, shm.count(), "the aborted view never counted");
        }
    }

    @Test
    void anExceptionInsideAWriteViewAbortsIt() {
        try (SharedMemory shm = SharedMemory.create(name, DType.UINT8, 4)) {
            assertThrows(IllegalStateException.class, () -> {
                try (WriteView view = shm.writeView()) {
                    view.buffer().setByte(0, 1);
                    throw new IllegalStateException("camera unplugged");
                }
            });
            assertThrows(InconsistentStreamException.class, () -> shm.readInto(new byte[4]));
            shm.acquire(Duration.ZERO); // the view released the lock
            shm.release();
        }
    }

    @Test
    void lockedVariantsRequireTheLock() {
        try (SharedMemory shm = SharedMemory.create(name, DType.INT16, 2)) {
            assertThrows(IllegalStateException.class, () -> shm.writeLocked(new short[2]));
            assertThrows(IllegalStateException.class, shm::writeViewLocked);
            try (var held = shm.locked()) {
                shm.writeLocked(new short[] {1, 2});
                shm.writeLocked(new short[] {3, 4}, 5);
                try (WriteView view = shm.writeViewLocked()) {
                    view.buffer().setShort(0, 6);
                    view.publish();
                }
                assertEquals(0, shm.writeSequence() & 1, "published while the lock stays held");
            }
            short[] out = new short[2];
            shm.readInto(out);
            assertArrayEquals(new short[] {6, 4}, out);
            assertEquals(3, shm.count());
            assertEquals(5, shm.frameId());
            assertThrows(IllegalArgumentException.class, () -> shm.writeLocked("not an array"));
        }
    }

    @Test
    void closeRefusesWhileAWriteViewIsOpen() {
        SharedMemory shm = SharedMemory.create(name, DType.UINT8, 1);
        WriteView view = shm.writeView();
        assertThrows(IllegalStateException.class, shm::close);
        view.close();
        shm.close();
    }

    @Test
    void readOnlyHandleReportsADeadWriterWithoutWriting() {
        try (SharedMemory shm = SharedMemory.create(name, DType.INT64, 1024);
             SharedMemory reader = SharedMemory.open(name, OpenOptions.readOnly())) {
            assertTrue(reader.readOnly());
            try (PeerProcess writer = PeerProcess.java(JavaPeer.class, "pause-in-write", name, "2")) {
                writer.await("paused", PEER_TIMEOUT);
                writer.kill();
            }
            assertThrows(InconsistentStreamException.class, () -> reader.readInto(new long[1024]));
            assertEquals(1, reader.writeSequence() & 1, "a read-only handle leaves the header as it found it");
            assertThrows(InconsistentStreamException.class, () -> shm.readInto(new long[1024]));
            assertTrue(shm.writeSequence() < 0, "a writable handle marks it invalid");
        }
    }

    @Test
    void statListAndUnlinkQuietAcrossProcesses() {
        try (PeerProcess creator = PeerProcess.java(JavaPeer.class, "create-write", name, "float64", "1", "2", "5")) {
            creator.finish(PEER_TIMEOUT);
        }
        StreamInfo info = SharedMemory.stat(name);
        assertEquals(DType.FLOAT64, info.dtype());
        assertArrayEquals(new long[] {2, 5}, info.shape());
        assertEquals(1, info.count());
        assertEquals(2, info.writeSequence());
        assertFalse(info.creatorAlive(), "the creating JVM has exited");
        assertEquals(3, info.metadataVersion());
        assertThrows(StreamNotFoundException.class, () -> SharedMemory.stat(other));
        assertTrue(SharedMemory.listStreams().contains(name));
        try (PeerProcess lister = PeerProcess.java(JavaPeer.class, "list", "-")) {
            assertTrue(lister.finish(PEER_TIMEOUT).contains("listed " + name));
        }
        SharedMemory.unlinkQuiet(name);
        assertFalse(SharedMemory.listStreams().contains(name));
        SharedMemory.unlinkQuiet(name); // absent: silent
    }

    /** Purge runs in a private /dev/shm: on the real one it would delete everyone's streams. */
    @Test
    void purgeRemovesValidStreamsAndNeverForeignFiles() throws Exception {
        assumeTrue(PrivateShm.available(), "needs `unshare -rm` (user and mount namespaces) for a private /dev/shm");
        String foreign = StreamNames.of("look-alike").base();
        List<String> lines = PrivateShm.run(List.of(
                PrivateShm.javaPeer("create-write", "purged-a", "uint8", "1", "4"),
                PrivateShm.javaPeer("create-write", "purged-b", "int32", "1", "2"),
                "head -c 8 /dev/zero > /dev/shm/" + foreign,
                "head -c 512 /dev/zero > /dev/shm/" + foreign + "_meta",
                PrivateShm.javaPeer("list", "-"),
                PrivateShm.javaPeer("purge", "-"),
                PrivateShm.javaPeer("list", "-"),
                "ls /dev/shm | sed 's/^/left /'"));
        assertEquals(List.of("written", "written", "listed purged-a", "listed purged-b", "purged purged-a", "purged purged-b",
                "left " + foreign, "left " + foreign + "_meta"), lines);
    }

    @Test
    void producerAliveAgeAndStaleness() throws Exception {
        try (PeerProcess creator = PeerProcess.java(JavaPeer.class, "create-write", name, "uint8", "1", "4")) {
            creator.finish(PEER_TIMEOUT);
        }
        try (SharedMemory shm = SharedMemory.open(name)) {
            assertFalse(shm.producerAlive());
            assertTrue(shm.age() >= 0 && shm.age() < 60, "age " + shm.age());
            assertFalse(shm.isStale(Duration.ofMinutes(1)));
            Thread.sleep(30);
            assertTrue(shm.isStale(Duration.ofMillis(10)));
            assertThrows(IllegalArgumentException.class, () -> shm.isStale(Duration.ZERO));
        }
        try (SharedMemory fresh = SharedMemory.create(other, DType.UINT8, 1)) {
            assertTrue(fresh.producerAlive());
            assertEquals(Double.POSITIVE_INFINITY, fresh.age());
            assertTrue(fresh.isStale(Duration.ofDays(1)), "never written is stale");
        }
    }

    @Test
    void closeWakesAReaderBlockedOnThisHandle() throws Exception {
        for (boolean notify : new boolean[] {false, true}) {
            try (SharedMemory shm = SharedMemory.create(name, CreateOptions.of(DType.UINT8, 1).notify(notify))) {
                AtomicReference<Throwable> outcome = new AtomicReference<>();
                Thread blocked = new Thread(() -> {
                    try {
                        shm.readNew();
                    } catch (Throwable t) {
                        outcome.set(t);
                    }
                });
                blocked.start();
                Thread.sleep(100);
                shm.close();
                blocked.join(5_000);
                assertFalse(blocked.isAlive(), "close() woke the blocked reader (notify " + notify + ")");
                assertTrue(outcome.get() instanceof IllegalStateException, String.valueOf(outcome.get()));
            }
            SharedMemory.unlink(name);
        }
    }

    @Test
    void autoUnlinkDescribeAndConfig() {
        try (SharedMemory shm = SharedMemory.create(name, CreateOptions.of(DType.UINT16, 3, 2).notify(true)
                .autoUnlink(true))) {
            String text = shm.describe();
            assertTrue(text.contains("dtype:        uint16"), text);
            assertTrue(text.contains("shape:        [3, 2]"), text);
            assertTrue(text.contains("notify:       true"), text);
            StreamConfig config = shm.toConfig();
            assertEquals(Map.of("name", name, "shape", List.of(3L, 2L), "dtype", "uint16", "cpu_mirror", true,
                    "notify", true), withoutNulls(config.toMap()));
            SharedMemory.unlink(name);
            try (SharedMemory copy = SharedMemory.createFromConfig(config)) {
                assertEquals(DType.UINT16, copy.dtype());
                assertTrue(copy.notifyEnabled());
            }
        } // close() of the stale auto-unlink handle leaves the new generation alone
        assertTrue(Files.exists(Segments.path(StreamNames.of(name).dataSegment())));
        SharedMemory.unlink(name);

        try (SharedMemory scratch = SharedMemory.create(other, CreateOptions.of(DType.UINT8, 1).autoUnlink(true))) {
            assertTrue(Files.exists(Segments.path(StreamNames.of(other).dataSegment())));
        }
        assertFalse(Files.exists(Segments.path(StreamNames.of(other).dataSegment())), "autoUnlink removed it");
    }

    @Test
    void lockedManyInOppositeOrdersAcrossProcessesNeverDeadlocks() {
        try (SharedMemory a = SharedMemory.create(name, DType.UINT8, 64);
             SharedMemory b = SharedMemory.create(other, DType.UINT8, 64);
             PeerProcess peer = PeerProcess.java(JavaPeer.class, "locked-many", other, name, "300")) {
            peer.await("ready", PEER_TIMEOUT);
            for (int i = 0; i < 300; i++) {
                try (MultiLock held = SharedMemory.lockedMany(List.of(a, b), Duration.ofSeconds(20))) {
                    assertEquals(List.of(a, b), held.handles());
                    a.writeLocked(new byte[64]);
                    b.writeLocked(new byte[64]);
                }
            }
            peer.await("done", PEER_TIMEOUT);
            assertEquals(1200, a.count() + b.count());
            assertThrows(IllegalArgumentException.class, () -> SharedMemory.lockedMany(List.of(a, a), Duration.ZERO));
        }
    }

    private static Map<String, Object> withoutNulls(Map<String, Object> map) {
        Map<String, Object> copy = new java.util.HashMap<>(map);
        copy.values().removeIf(java.util.Objects::isNull);
        return copy;
    }
}

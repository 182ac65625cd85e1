package io.arrowshm.interop.suite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.DType;
import io.arrowshm.InconsistentStreamException;
import io.arrowshm.OpenOptions;
import io.arrowshm.SharedMemory;
import io.arrowshm.interop.suite.Payloads.Kind;
import io.arrowshm.internal.format.MetadataLayout;
import io.arrowshm.testing.JavaPeer;
import io.arrowshm.testing.PeerProcess;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A writer killed with SIGKILL while it holds the lock mid-write: readers in the other
 * language must refuse the half-written frame, and the next complete write from the other
 * language repairs the stream for both.
 */
class DeadWriterTest {
    private static final Duration PEER_TIMEOUT = Duration.ofSeconds(60);
    private static final DType DTYPE = DType.INT32;
    private static final long[] SHAPE = {512, 512};

    @RegisterExtension
    static final PyshmemSession py = new PyshmemSession();
    @RegisterExtension
    final TestStreams streams = new TestStreams();

    @Test
    @DisplayName("pyshmem writer killed inside write_view: Java reader raises InconsistentStreamException, a Java write repairs")
    void deadPyshmemWriterIsDetectedByJavaAndRepairedByAJavaWrite() {
        String name = streams.name("dead-py");
        try (SharedMemory shm = SharedMemory.create(name, DTYPE, SHAPE)) {
            shm.write(expected(1));
            killPyshmemInsideWriteView(name);

            InconsistentStreamException dead = assertThrows(InconsistentStreamException.class,
                    () -> Payloads.readBytes(shm));
            assertTrue(dead.getMessage().contains("exited during a write"), dead.getMessage());
            assertTrue(py.fails("InconsistentStreamError", "read", name).contains("incomplete write"),
                    "pyshmem sees the generation Java marked invalid");

            shm.write(expected(3));
            assertRepaired(name, shm, 3, 2);
        }
    }

    @Test
    @DisplayName("Java writer killed inside write: pyshmem raises InconsistentStreamError, a pyshmem write repairs")
    void deadJavaWriterIsDetectedByPyshmemAndRepairedByAPyshmemWrite() {
        String name = streams.name("dead-java");
        py.ok("create", name, DTYPE.numpyName(), Expect.shape(SHAPE));
        py.ok("write", name, Kind.PATTERN.word(), 1);
        killJavaInsideWrite(name);

        assertTrue(py.fails("InconsistentStreamError", "read", name).contains("exited during a write"));
        try (SharedMemory shm = SharedMemory.open(name)) {
            InconsistentStreamException invalid = assertThrows(InconsistentStreamException.class,
                    () -> Payloads.readBytes(shm));
            assertTrue(invalid.getMessage().contains("incomplete write"), invalid.getMessage());

            py.ok("write", name, Kind.PATTERN.word(), 3);
            assertRepaired(name, shm, 3, 2);
        }
    }

    @Test
    @DisplayName("a read-only Java reader also reports a dead pyshmem writer")
    void readOnlyJavaReaderReportsADeadPyshmemWriter() {
        String name = streams.name("dead-py-ro");
        try (SharedMemory shm = SharedMemory.create(name, DTYPE, SHAPE)) {
            shm.write(expected(1));
            killPyshmemInsideWriteView(name);
            try (SharedMemory reader = SharedMemory.open(name, OpenOptions.readOnly())) {
                assertThrows(InconsistentStreamException.class, () -> Payloads.readBytes(reader));
            }
            assertTrue(shm.writeSequence() > 0, "the read-only reader left the header alone");
        }
    }

    /** Spec §3.2 infers this from pyshmem's code without having run it: a readonly handle's acquire refuses. */
    @Test
    @DisplayName("a read-only pyshmem reader meeting a dead Java writer raises PermissionError (spec §3.2)")
    void readOnlyPyshmemReaderMeetingADeadJavaWriterRaisesPermissionError() {
        String name = streams.name("dead-java-ro");
        try (SharedMemory shm = SharedMemory.create(name, DTYPE, SHAPE)) {
            shm.write(expected(1));
            killJavaInsideWrite(name);
            py.ok("open", name, "readonly");
            py.fails("PermissionError", "read", name);
            py.ok("close", name);
        }
    }

    /**
     * Spec §3.2 hazard: a pyshmem writer that finds a dead writer's odd sequence (no reader has
     * marked it invalid yet) inverts the parity, so pyshmem readers then wait on an "odd" idle
     * stream until they time out. A Java reader sees an odd sequence whose lock is free, so it
     * reports the stream inconsistent and marks it invalid, which pyshmem readers then report
     * too; a Java write puts it right.
     */
    @Test
    @DisplayName("unnoticed dead Java writer: a pyshmem write inverts the parity (spec §3.2 hazard); a Java reader exposes it, a Java write repairs")
    void pyshmemWriteAfterAnUnnoticedDeadJavaWriterInvertsParity() {
        String name = streams.name("hazard");
        try (SharedMemory shm = SharedMemory.create(name, DTYPE, SHAPE)) {
            shm.write(expected(1));
            killJavaInsideWrite(name);
            py.ok("write", name, Kind.PATTERN.word(), 2);

            assertEquals(1, shm.writeSequence() & 1, "odd while nobody writes");
            assertEquals(0, ShmFiles.metadataBytes(name).getLong(MetadataLayout.LOCK_OWNER_PID_OFFSET));
            py.fails("TimeoutError", "read", name, 0.2);
            assertThrows(InconsistentStreamException.class, () -> shm.read(Duration.ofSeconds(10)).close());
            assertTrue(shm.writeSequence() < 0, "the Java reader marked it invalid");
            py.fails("InconsistentStreamError", "read", name, 0.2);

            shm.write(expected(3));
            assertRepaired(name, shm, 3, 3);
        }
    }

    @Test
    @DisplayName("unnoticed dead pyshmem writer: the next Java write alone repairs the stream")
    void javaWriteAfterAnUnnoticedDeadPyshmemWriterRepairs() {
        String name = streams.name("unnoticed");
        try (SharedMemory shm = SharedMemory.create(name, DTYPE, SHAPE)) {
            shm.write(expected(1));
            killPyshmemInsideWriteView(name);
            shm.write(expected(3));
            assertRepaired(name, shm, 3, 2);
        }
    }

    @Test
    @DisplayName("pyshmem write_view aborted by an exception: Java raises InconsistentStreamException, a Java write repairs")
    void abortedPyshmemWriteViewIsRefusedByJavaAndRepairedByAJavaWrite() {
        String name = streams.name("abort-py");
        try (SharedMemory shm = SharedMemory.create(name, DTYPE, SHAPE)) {
            shm.write(expected(1), 5L);
            Reply aborted = py.ok("abort-view", name, 2);
            assertTrue(aborted.getLong("seq") < 0, "marked invalid: " + aborted.line());
            assertEquals(1, aborted.getLong("count"), "an abort does not count");
            assertEquals(5L, aborted.getUnsigned("frame_id"), "an abort keeps the frame id");

            InconsistentStreamException invalid = assertThrows(InconsistentStreamException.class,
                    () -> Payloads.readBytes(shm));
            assertTrue(invalid.getMessage().contains("incomplete write"), invalid.getMessage());
            shm.write(expected(3));
            assertRepaired(name, shm, 3, 2);
        }
    }

    private static void killPyshmemInsideWriteView(String name) {
        try (PeerProcess writer = PeerProcess.python("pyshmem_peer.py", "pause-in-view", name, "2")) {
            writer.await("paused", PEER_TIMEOUT);
            writer.kill();
        }
        assertEquals(1, ShmFiles.metadataBytes(name).getLong(MetadataLayout.WRITE_SEQUENCE_OFFSET) & 1,
                "killed inside the write");
    }

    private static void killJavaInsideWrite(String name) {
        try (PeerProcess writer = PeerProcess.java(JavaPeer.class, "pause-in-write", name, "2")) {
            writer.await("paused", PEER_TIMEOUT);
            writer.kill();
        }
        assertEquals(1, ShmFiles.metadataBytes(name).getLong(MetadataLayout.WRITE_SEQUENCE_OFFSET) & 1,
                "killed inside the write");
    }

    /** Both languages read frame {@code seed} again, from a stable sequence, after {@code count} complete writes. */
    private static void assertRepaired(String name, SharedMemory shm, int seed, long count) {
        assertArrayEquals(expected(seed), Payloads.readBytes(shm));
        Reply python = py.ok("read", name);
        Expect.payload(expected(seed), python);
        long sequence = python.getLong("seq");
        assertTrue(sequence > 0 && sequence % 2 == 0, "stable again: " + sequence);
        assertEquals(count, python.getLong("count"), "the killed write never counted");
    }

    private static byte[] expected(int seed) {
        return Payloads.bytes(DTYPE, DTYPE.itemSize() * SHAPE[0] * SHAPE[1], Kind.PATTERN, seed);
    }
}

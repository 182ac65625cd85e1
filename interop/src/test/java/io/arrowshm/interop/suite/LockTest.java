package io.arrowshm.interop.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.arrowshm.DType;
import io.arrowshm.SharedMemory;
import io.arrowshm.StreamTimeoutException;
import io.arrowshm.internal.format.MetadataLayout;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The write lock held in one language makes the other's timed acquire time out, and the
 * holder's PID and re-entrant depth are in the header for the other side to see. Only the
 * outcome is asserted, never how long the wait took.
 */
class LockTest {
    private static final Duration SHORT = Duration.ofMillis(200);

    @RegisterExtension
    static final PyshmemSession py = new PyshmemSession();
    @RegisterExtension
    final TestStreams streams = new TestStreams();

    @Test
    @DisplayName("a lock pyshmem holds makes Java's timed acquire and write view time out")
    void pyshmemLockMakesJavaTimeOut() {
        String name = streams.name("lock");
        try (SharedMemory shm = SharedMemory.create(name, DType.UINT8, 64)) {
            long pythonPid = py.ok("open", name).getLong("pid");
            py.ok("acquire", name, 10);
            py.ok("acquire", name, 10); // re-entrant: depth 2
            ByteBuffer header = ShmFiles.metadataBytes(name);
            assertEquals(pythonPid, header.getLong(MetadataLayout.LOCK_OWNER_PID_OFFSET));
            assertEquals(2, header.getInt(MetadataLayout.LOCK_DEPTH_OFFSET));

            assertThrows(StreamTimeoutException.class, () -> shm.acquire(SHORT));
            assertThrows(StreamTimeoutException.class, () -> shm.writeView(SHORT));

            py.ok("release", name);
            assertThrows(StreamTimeoutException.class, () -> shm.acquire(SHORT), "still held at depth 1");
            py.ok("release", name);
            py.ok("close", name);
            shm.acquire(Duration.ofSeconds(10));
            shm.release();
            assertEquals(0, ShmFiles.metadataBytes(name).getLong(MetadataLayout.LOCK_OWNER_PID_OFFSET));
        }
    }

    @Test
    @DisplayName("a lock Java holds makes pyshmem's timed acquire and write_view time out")
    void javaLockMakesPyshmemTimeOut() {
        String name = streams.name("lock");
        try (SharedMemory shm = SharedMemory.create(name, DType.UINT8, 64)) {
            py.ok("open", name);
            try (var outer = shm.locked(); var inner = shm.locked()) {
                Reply lock = py.ok("lock-fields", name);
                assertEquals(ProcessHandle.current().pid(), lock.getLong("owner"));
                assertEquals(2, lock.getLong("depth"));

                py.fails("TimeoutError", "acquire", name, 0.2);
                py.fails("TimeoutError", "view", name, 0.2, Payloads.Kind.PATTERN.word(), 1);
            }
            Reply free = py.ok("lock-fields", name);
            assertEquals(0, free.getLong("owner"));
            assertEquals(0, free.getLong("depth"));
            py.ok("acquire", name, 10);
            py.ok("release", name);
            py.ok("close", name);
            assertEquals(0, shm.count(), "the timed-out write_view published nothing");
        }
    }
}

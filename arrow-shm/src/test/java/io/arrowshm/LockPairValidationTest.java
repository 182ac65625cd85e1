package io.arrowshm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.internal.format.MetadataLayout;
import io.arrowshm.internal.format.StreamNames;
import io.arrowshm.testing.Names;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * lock_owner_pid and lock_depth are written one after the other by whoever holds the lock; a
 * holder preempted between the two stores leaves them disagreeing for as long as it is off the
 * CPU (seen once under contention on 2 busy cores: a child JVM's open failed). open() then
 * checks once more under the lock, and only a header that disagrees there is corrupt.
 */
class LockPairValidationTest {
    private final String name = Names.unique("lockpair");

    @AfterEach
    void removeStream() {
        SharedMemory.unlink(name);
    }

    private void writeLockPair(long owner, int depth) throws IOException {
        Path meta = Path.of("/dev/shm", StreamNames.of(name).metaSegment());
        try (FileChannel channel = FileChannel.open(meta, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, owner),
                    MetadataLayout.LOCK_OWNER_PID_OFFSET);
            channel.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, depth),
                    MetadataLayout.LOCK_DEPTH_OFFSET);
        }
    }

    @Test
    @Timeout(30)
    void aHolderStalledBetweenTheTwoStoresDoesNotMakeOpenFail() throws Exception {
        try (SharedMemory writer = SharedMemory.create(name, DType.UINT8, 8)) {
            CountDownLatch holding = new CountDownLatch(1);
            Thread holder = new Thread(() -> {
                writer.acquire();
                try {
                    writeLockPair(ProcessHandle.current().pid(), 0); // stalled between owner and depth
                    holding.countDown();
                    Thread.sleep(300); // longer than open's 50 ms of re-checks
                    writeLockPair(ProcessHandle.current().pid(), 1); // the second store lands
                } catch (IOException | InterruptedException e) {
                    throw new AssertionError(e);
                } finally {
                    writer.release();
                }
            });
            holder.start();
            holding.await();
            try (SharedMemory reader = SharedMemory.open(name)) {
                assertEquals(8, reader.size());
            }
            holder.join();
        }
    }

    @Test
    @Timeout(30)
    void aPairThatDisagreesUnderTheLockIsStillRejectedAsPyshmemRejectsIt() throws Exception {
        try (SharedMemory writer = SharedMemory.create(name, DType.UINT8, 8)) {
            writeLockPair(4242, 0); // nobody holds the lock: this header is corrupt
            InvalidMetadataException corrupt = assertThrows(InvalidMetadataException.class,
                    () -> SharedMemory.open(name));
            assertEquals("lock_depth", corrupt.field());
            assertTrue(corrupt.getMessage().contains("lock owner and depth metadata are inconsistent"),
                    corrupt.getMessage());
            writeLockPair(0, 0);
        }
    }
}

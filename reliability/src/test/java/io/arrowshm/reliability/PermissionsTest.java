package io.arrowshm.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.DType;
import io.arrowshm.OpenOptions;
import io.arrowshm.ReadOnlyStreamException;
import io.arrowshm.SharedMemory;
import io.arrowshm.internal.format.StreamNames;
import io.arrowshm.internal.posix.LibC;
import io.arrowshm.internal.posix.Segments;
import io.arrowshm.testing.Names;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.apache.arrow.memory.ArrowBuf;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Segments are 0600, locks live in a per-uid directory, and a read-only handle cannot change the stream. */
class PermissionsTest {
    private final String name = Names.unique("perm");

    @AfterEach
    void removeStream() {
        SharedMemory.unlink(name);
    }

    @Test
    void segmentsAre0600AndTheLockDirectoryIsPerUid() throws Exception {
        try (SharedMemory shm = SharedMemory.create(name, DType.UINT8, 8)) {
            shm.acquire();
            shm.release();
            StreamNames names = StreamNames.of(name);
            for (String segment : new String[] {names.dataSegment(), names.metaSegment()}) {
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(
                        Segments.path(segment))), segment);
            }
            if (System.getenv("PYSHMEM_LOCK_DIR") == null) {
                assertEquals("pyshmem-locks-" + LibC.getuid(), names.lockPath().getParent().getFileName().toString());
            }
            assertTrue(Files.exists(names.lockPath()));
        }
    }

    @Test
    void aReadOnlyHandleCannotChangeTheStreamThroughAnyApi() {
        try (SharedMemory shm = SharedMemory.create(name, DType.UINT8, 8);
             SharedMemory reader = SharedMemory.open(name, OpenOptions.readOnly())) {
            byte[] frame = {1, 2, 3, 4, 5, 6, 7, 8};
            shm.write(frame);
            assertThrows(ReadOnlyStreamException.class, () -> reader.write(new byte[8]));
            assertThrows(ReadOnlyStreamException.class, () -> reader.write(ByteBuffer.allocate(8)));
            assertThrows(ReadOnlyStreamException.class, () -> reader.writeLocked(new byte[8]));
            assertThrows(ReadOnlyStreamException.class, reader::clear);
            assertThrows(ReadOnlyStreamException.class, reader::acquire);
            assertThrows(ReadOnlyStreamException.class, () -> reader.acquire(Duration.ZERO));
            assertThrows(ReadOnlyStreamException.class, reader::locked);
            assertThrows(ReadOnlyStreamException.class, reader::writeView);
            assertThrows(ReadOnlyStreamException.class, reader::buffer, "no live view: the mapping is not writable");
            assertThrows(ReadOnlyStreamException.class, () -> reader.readZeroCopy(view -> view.getByte(0)));
            assertThrows(ReadOnlyStreamException.class, reader::unlink);
            try (ArrowBuf copy = reader.read()) {
                copy.setByte(0, 99); // the copy is the caller's own memory
            }
            byte[] now = new byte[8];
            reader.readInto(now);
            assertArrayEquals(frame, now, "nothing changed the stream");
            assertEquals(1, reader.count());
            assertEquals(0, shm.writeSequence() & 1);
        }
    }
}

package io.arrowshm.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.arrowshm.DType;
import io.arrowshm.InconsistentStreamException;
import io.arrowshm.InvalidMetadataException;
import io.arrowshm.Ring;
import io.arrowshm.RingFrame;
import io.arrowshm.RingOptions;
import io.arrowshm.RingReader;
import io.arrowshm.RingWriter;
import io.arrowshm.SharedMemoryException;
import io.arrowshm.UntrustedFileException;
import io.arrowshm.internal.posix.Segments;
import io.arrowshm.internal.posix.Special;
import io.arrowshm.internal.ring.RingDescriptor;
import io.arrowshm.internal.ring.RingHeader;
import io.arrowshm.internal.ring.RingNames;
import io.arrowshm.testing.Names;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Ring files as hostile input: every header field corrupted on its own is refused with an error
 * naming that field; thousands of random corruptions of the header, cursor table and slot table
 * end in the library's exceptions (never a crash, a hang or another exception); links, FIFOs,
 * directories and other users' files at a ring's name are refused and survive list and purge.
 */
@Timeout(120)
class RingHostileFilesTest {
    private final String name = Names.unique("ring-hostile");
    private final Path file = Segments.path(RingNames.of(name).segment());

    @AfterEach
    void cleanUp() throws Exception {
        if (Files.isDirectory(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            Files.delete(file);
        } else {
            Files.deleteIfExists(file);
        }
        Ring.unlink(name);
    }

    /** A valid ring of 4 uint8[16] slots, 2 cursors, its file's bytes. */
    private byte[] validFile() throws Exception {
        try (Ring ring = Ring.create(name, RingOptions.of(DType.UINT8, 16).capacity(4).maxCursors(2));
             RingWriter writer = ring.writer();
             RingReader reader = ring.reader("c")) {
            for (int i = 0; i < 4; i++) {
                writer.write(new byte[16], i);
            }
            reader.take(Duration.ofSeconds(1)).close();
            reader.take(Duration.ofSeconds(1)).close();
            writer.write(new byte[16], 4, Duration.ofSeconds(1));
            writer.write(new byte[16], 5, Duration.ofSeconds(1));
        }
        byte[] bytes = Files.readAllBytes(file);
        Ring.unlink(name);
        return bytes;
    }

    private void plant(byte[] bytes) throws Exception {
        Files.deleteIfExists(file);
        Files.write(file, bytes);
    }

    private InvalidMetadataException refused(byte[] bytes) throws Exception {
        plant(bytes);
        return assertThrows(InvalidMetadataException.class, () -> Ring.open(name).close());
    }

    /** Applies {@code change} to the header, then fixes the CRC so the field's own check is what fails. */
    private InvalidMetadataException refusedField(byte[] valid, Consumer<ByteBuffer> change) throws Exception {
        byte[] bytes = valid.clone();
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        change.accept(b);
        byte[] immutable = java.util.Arrays.copyOf(bytes, RingDescriptor.IMMUTABLE_LENGTH);
        b.putInt(RingDescriptor.HEADER_CRC_OFFSET, RingHeader.crc(immutable));
        return refused(bytes);
    }

    @Test
    void everyHeaderFieldIsCheckedAndNamed() throws Exception {
        byte[] valid = validFile();
        assertEquals("magic", refusedField(valid, b -> b.put(0, (byte) 'X')).field());
        InvalidMetadataException version = refusedField(valid, b -> b.putShort(8, (short) 2));
        assertEquals("version", version.field());
        assertTrue(version.getMessage().contains("unsupported ring version 2"), version.getMessage());
        assertEquals("header_size", refusedField(valid, b -> b.putShort(10, (short) 512)).field());
        assertEquals("flags", refusedField(valid, b -> b.putInt(12, 1)).field());
        assertEquals("dtype_code", refusedField(valid, b -> b.putShort(16, (short) 14)).field());
        assertEquals("ndim", refusedField(valid, b -> b.putShort(18, (short) 0)).field());
        assertEquals("ndim", refusedField(valid, b -> b.putShort(18, (short) 20)).field());
        assertEquals("shape", refusedField(valid, b -> b.putLong(120, 0)).field());
        assertEquals("shape", refusedField(valid, b -> b.putLong(128, 7)).field());
        assertEquals("slot_size", refusedField(valid, b -> b.putLong(32, 17)).field());
        assertEquals("slot_size", refusedField(valid, b -> {
            b.putShort(18, (short) 2);
            b.putLong(128, Long.MAX_VALUE / 2); // 16 x huge overflows
        }).field());
        assertEquals("capacity", refusedField(valid, b -> b.putLong(40, 0)).field());
        assertEquals("capacity", refusedField(valid, b -> b.putLong(40, (1L << 20) + 1)).field());
        assertEquals("max_cursors", refusedField(valid, b -> b.putInt(48, 0)).field());
        assertEquals("max_cursors", refusedField(valid, b -> b.putInt(48, -1)).field());
        assertEquals("cursor_entry_size", refusedField(valid, b -> b.putInt(52, 64)).field());
        assertEquals("slot_entry_size", refusedField(valid, b -> b.putInt(56, 128)).field());
        assertEquals("overflow", refusedField(valid, b -> b.putInt(20, 2)).field());
        assertEquals("reserved", refusedField(valid, b -> b.putInt(60, 1)).field());
        assertEquals("reserved", refusedField(valid, b -> b.put(400, (byte) 1)).field());
        assertEquals("reserved", refusedField(valid, b -> b.put(800, (byte) 1)).field());
        assertEquals("cursor_table_offset", refusedField(valid, b -> b.putLong(64, 0)).field());
        assertEquals("slot_table_offset", refusedField(valid, b -> b.putLong(72, 1L << 40)).field());
        assertEquals("data_offset", refusedField(valid, b -> b.putLong(80, 4096)).field());
        assertEquals("segment_size", refusedField(valid, b -> b.putLong(88, 1L << 50)).field());
        assertEquals("instance_id", refusedField(valid, b -> b.put(96, new byte[16])).field());
        assertEquals("creator_pid", refusedField(valid, b -> b.putLong(24, 0)).field());
        assertEquals("name", refusedField(valid, b -> b.put(512, (byte) 'X')).field());
        assertEquals("name", refusedField(valid, b -> b.put(512, new byte[256])).field());
        assertEquals("name", refusedField(valid, b -> b.put(512, (byte) 0xFF)).field());
        byte[] badCrc = valid.clone();
        badCrc[RingDescriptor.HEADER_CRC_OFFSET] ^= 1;
        assertEquals("header_crc", refused(badCrc).field());
        assertEquals("file size", refused(java.util.Arrays.copyOf(valid, 100)).field());
        InvalidMetadataException truncated = refused(java.util.Arrays.copyOf(valid, valid.length - 1));
        assertEquals("segment_size", truncated.field());
        assertTrue(truncated.getMessage().contains("truncated"), truncated.getMessage());
    }

    @Test
    void corruptCursorsAndWritePositionAreRefusedWhereTheyAreUsed() throws Exception {
        byte[] valid = validFile();
        byte[] bytes = valid.clone();
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(RingDescriptor.CURSOR_TABLE_OFFSET, 7);
        plant(bytes);
        try (Ring ring = Ring.open(name)) {
            InvalidMetadataException e = assertThrows(InvalidMetadataException.class, () -> ring.reader("c"));
            assertEquals("cursor_table[0].state", e.field());
        }
        bytes = valid.clone();
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(RingDescriptor.CURSOR_TABLE_OFFSET + 8, 1000);
        plant(bytes);
        try (Ring ring = Ring.open(name)) {
            assertEquals("cursor_table[0].position",
                    assertThrows(InvalidMetadataException.class, () -> ring.reader("c")).field());
        }
        bytes = valid.clone();
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(RingDescriptor.WRITE_POSITION_OFFSET, -5);
        plant(bytes);
        try (Ring ring = Ring.open(name)) {
            assertEquals("write_position", assertThrows(InvalidMetadataException.class, () -> ring.writer()).field());
            assertEquals("write_position", assertThrows(InvalidMetadataException.class, () -> ring.reader("x")).field());
        }
        // A slot whose stamp fits no writer's story: the writer refuses to go on, the reader says inconsistent.
        bytes = valid.clone();
        long slotTable = RingDescriptor.slotTableOffset(2);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong((int) slotTable + 2 * 64, 12345);
        plant(bytes);
        try (Ring ring = Ring.open(name)) {
            assertThrows(InconsistentStreamException.class, () -> ring.writer(), "slot 2 holds position 6's slot");
        }
    }

    @Test
    void randomCorruptionNeverCrashesOrHangs() throws Exception {
        byte[] valid = validFile();
        long seed = System.nanoTime();
        Random random = new Random(seed);
        int[] regions = {RingDescriptor.IMMUTABLE_LENGTH, 2048, RingDescriptor.CURSOR_TABLE_OFFSET + 256, 4608};
        int opened = 0;
        for (int round = 0; round < 1500; round++) {
            byte[] bytes = valid.clone();
            int limit = regions[round % regions.length];
            int flips = 1 + random.nextInt(4);
            for (int f = 0; f < flips; f++) {
                int at = random.nextInt(limit);
                bytes[at] = random.nextInt(3) == 0 ? (byte) 0xFF : (byte) random.nextInt(256);
            }
            if (round % 2 == 0) {
                // Keep the CRC right half the time, so corruption reaches the checks past it.
                byte[] immutable = java.util.Arrays.copyOf(bytes, RingDescriptor.IMMUTABLE_LENGTH);
                ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN)
                        .putInt(RingDescriptor.HEADER_CRC_OFFSET, RingHeader.crc(immutable));
            }
            plant(bytes);
            try (Ring ring = Ring.open(name)) {
                opened++;
                exercise(ring, seed);
            } catch (SharedMemoryException | IllegalArgumentException expected) {
                // refused with the library's error: what a corrupt file must get
            } catch (RuntimeException | Error other) {
                throw new AssertionError("round " + round + " (seed " + seed + ") threw " + other, other);
            }
        }
        assertTrue(opened > 100, "enough rounds got past validation to reach the mutable words: " + opened);
    }

    private static void exercise(Ring ring, long seed) {
        try (RingReader reader = ring.reader("c")) {
            try (RingFrame f = reader.take(Duration.ofMillis(2))) {
                assertTrue(f.position() >= 0);
            } catch (SharedMemoryException expected) {
                // timeout or inconsistent
            }
        } catch (SharedMemoryException | IllegalArgumentException expected) {
            // a corrupt cursor entry
        }
        try (RingWriter writer = ring.writer(Duration.ofMillis(50))) {
            writer.write(new byte[16], 1, Duration.ofMillis(50));
        } catch (SharedMemoryException expected) {
            // refused, timed out
        }
        ring.cursors();
        ring.info();
    }

    @Test
    void linksFifosDirectoriesAndStrangersFilesAreRefusedAndSurvivePurge() throws Exception {
        byte[] valid = validFile();
        Path target = Files.createTempFile("ring-target", ".bin");
        try {
            Files.write(target, valid);
            Files.createSymbolicLink(file, target);
            assertThrows(UntrustedFileException.class, () -> Ring.open(name));
            assertFalse(Ring.list().contains(name));
            Ring.purge();
            assertTrue(Files.isSymbolicLink(file), "purge leaves a link alone");
            assertThrows(UntrustedFileException.class, () -> Ring.unlink(name));
            Files.delete(file);

            Special.fifo(file);
            assertThrows(UntrustedFileException.class, () -> Ring.open(name));
            Ring.purge();
            assertTrue(Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS));
            Files.delete(file);

            Files.createDirectory(file);
            assertThrows(UntrustedFileException.class, () -> Ring.open(name));
            Files.delete(file);

            plant(valid);
            Special.chownToOther(file);
            UntrustedFileException stranger = assertThrows(UntrustedFileException.class, () -> Ring.open(name));
            assertTrue(stranger.getMessage().contains("owned by uid 65534"), stranger.getMessage());
            assertFalse(Ring.list().contains(name));
            Ring.purge();
            assertTrue(Files.exists(file), "purge never removes another user's file");
        } finally {
            Files.deleteIfExists(target);
        }
    }

    @Test
    void aValidPlantedRingOfThisUserOpens() throws Exception {
        plant(validFile());
        try (Ring ring = Ring.open(name); RingReader reader = ring.reader("c")) {
            assertEquals(6, ring.writePosition());
            try (RingFrame f = reader.take(Duration.ofSeconds(1))) {
                assertEquals(2, f.position(), "the stored cursor resumes");
            }
        } catch (RuntimeException e) {
            fail(e);
        }
    }
}

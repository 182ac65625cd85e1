package io.arrowshm.internal.ring;

import static io.arrowshm.internal.ring.RingDescriptor.*;

import io.arrowshm.DType;
import io.arrowshm.InvalidMetadataException;
import io.arrowshm.Overflow;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;

/**
 * Encodes a ring's immutable header at create and validates it at open, in the order of
 * ring-format §3; every failure is an {@link InvalidMetadataException} naming the field.
 */
public final class RingHeader {
    private RingHeader() {
    }

    /** The {@link RingDescriptor#IMMUTABLE_LENGTH} bytes of a new ring's header, CRC included. */
    public static byte[] encode(RingGeometry g) {
        ByteBuffer b = ByteBuffer.allocate(IMMUTABLE_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC_OFFSET, MAGIC);
        b.putShort(VERSION_OFFSET, (short) VERSION);
        b.putShort(HEADER_SIZE_OFFSET, (short) HEADER_SIZE);
        b.putShort(DTYPE_OFFSET, (short) g.dtype().code());
        b.putShort(NDIM_OFFSET, (short) g.shape().length);
        b.putInt(OVERFLOW_OFFSET, overflowCode(g.overflow()));
        b.putLong(CREATOR_PID_OFFSET, g.creatorPid());
        b.putLong(SLOT_SIZE_OFFSET, g.slotSize());
        b.putLong(CAPACITY_OFFSET, g.capacity());
        b.putInt(MAX_CURSORS_OFFSET, g.maxCursors());
        b.putInt(CURSOR_ENTRY_SIZE_OFFSET, CURSOR_ENTRY_SIZE);
        b.putInt(SLOT_ENTRY_SIZE_OFFSET, SLOT_ENTRY_SIZE);
        b.putLong(CURSOR_TABLE_OFFSET_OFFSET, CURSOR_TABLE_OFFSET);
        b.putLong(SLOT_TABLE_OFFSET_OFFSET, g.slotTableOffset());
        b.putLong(DATA_OFFSET_OFFSET, g.dataOffset());
        b.putLong(SEGMENT_SIZE_OFFSET, g.segmentSize());
        b.put(INSTANCE_ID_OFFSET, g.instanceId());
        b.putLong(CREATED_NS_OFFSET, g.createdNanos());
        long[] shape = g.shape();
        for (int i = 0; i < shape.length; i++) {
            b.putLong(SHAPE_OFFSET + 8 * i, shape[i]);
        }
        b.put(NAME_OFFSET, g.name().getBytes(StandardCharsets.UTF_8));
        byte[] bytes = b.array();
        b.putInt(HEADER_CRC_OFFSET, crc(bytes));
        return bytes;
    }

    /** CRC-32 of the immutable part with the CRC field taken as zero (§2.1). */
    public static int crc(byte[] immutable) {
        CRC32 crc = new CRC32();
        crc.update(immutable, 0, HEADER_CRC_OFFSET);
        crc.update(new byte[4]);
        crc.update(immutable, HEADER_CRC_OFFSET + 4, IMMUTABLE_LENGTH - HEADER_CRC_OFFSET - 4);
        return (int) crc.getValue();
    }

    public static int overflowCode(Overflow overflow) {
        return overflow == Overflow.BLOCK ? OVERFLOW_BLOCK : OVERFLOW_OVERWRITE;
    }

    /**
     * Validates a header snapshot against the name asked for and the file's size (§3 steps 1–9).
     *
     * @param header at least {@link RingDescriptor#IMMUTABLE_LENGTH} bytes copied from the file (up to
     *     {@link RingDescriptor#WRITE_POSITION_OFFSET}, so the reserved bytes before the hot words are checked too)
     * @param expectedName the name the caller opened, or null to accept the stored one (discovery)
     */
    public static RingGeometry validate(String ring, byte[] header, long fileSize, String expectedName) {
        if (fileSize < HEADER_SIZE || header.length < IMMUTABLE_LENGTH) {
            throw invalid(ring, "file size", "the file holds " + fileSize + " bytes, less than a ring header ("
                    + HEADER_SIZE + ")");
        }
        ByteBuffer b = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
        if (!Arrays.equals(header, MAGIC_OFFSET, MAGIC_OFFSET + MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw invalid(ring, "magic", "the file does not start with the ring magic \"ASHMRING\"");
        }
        int version = Short.toUnsignedInt(b.getShort(VERSION_OFFSET));
        if (version != VERSION) {
            throw invalid(ring, "version", "unsupported ring version " + version + " (this library reads version "
                    + VERSION + ")");
        }
        expect(ring, "header_size", Short.toUnsignedInt(b.getShort(HEADER_SIZE_OFFSET)), HEADER_SIZE);
        expect(ring, "flags", Integer.toUnsignedLong(b.getInt(FLAGS_OFFSET)), 0);
        DType dtype = dtype(ring, Short.toUnsignedInt(b.getShort(DTYPE_OFFSET)));
        long[] shape = shape(ring, b);
        long slotSize = Long.MAX_VALUE;
        try {
            long elements = 1;
            for (long dim : shape) {
                elements = Math.multiplyExact(elements, dim);
            }
            slotSize = Math.multiplyExact(elements, dtype.itemSize());
        } catch (ArithmeticException overflow) {
            // slotSize stays too large and fails below
        }
        long storedSlotSize = b.getLong(SLOT_SIZE_OFFSET);
        if (slotSize >= POSITION_LIMIT || storedSlotSize != slotSize) {
            throw invalid(ring, "slot_size", "slot_size " + Long.toUnsignedString(storedSlotSize)
                    + " does not match the shape " + Arrays.toString(shape) + " and dtype " + dtype.numpyName()
                    + (slotSize >= POSITION_LIMIT ? " (their product exceeds 2^62)" : " (" + slotSize + ")"));
        }
        long capacity = b.getLong(CAPACITY_OFFSET);
        if (capacity < 1 || capacity > MAX_CAPACITY) {
            throw invalid(ring, "capacity", "capacity " + Long.toUnsignedString(capacity) + " is outside 1.."
                    + MAX_CAPACITY);
        }
        long maxCursors = Integer.toUnsignedLong(b.getInt(MAX_CURSORS_OFFSET));
        if (maxCursors < 1 || maxCursors > MAX_CURSORS) {
            throw invalid(ring, "max_cursors", "max_cursors " + maxCursors + " is outside 1.." + MAX_CURSORS);
        }
        expect(ring, "cursor_entry_size", Integer.toUnsignedLong(b.getInt(CURSOR_ENTRY_SIZE_OFFSET)), CURSOR_ENTRY_SIZE);
        expect(ring, "slot_entry_size", Integer.toUnsignedLong(b.getInt(SLOT_ENTRY_SIZE_OFFSET)), SLOT_ENTRY_SIZE);
        int overflowCode = b.getInt(OVERFLOW_OFFSET);
        if (overflowCode != OVERFLOW_BLOCK && overflowCode != OVERFLOW_OVERWRITE) {
            throw invalid(ring, "overflow", "overflow " + Integer.toUnsignedString(overflowCode)
                    + " is neither 0 (BLOCK) nor 1 (OVERWRITE)");
        }
        expect(ring, "reserved", Integer.toUnsignedLong(b.getInt(RESERVED_OFFSET)), 0);
        int reservedEnd = Math.min(header.length, WRITE_POSITION_OFFSET);
        for (int at = HEADER_CRC_OFFSET + 4; at < reservedEnd; at++) {
            if ((at < NAME_OFFSET || at >= IMMUTABLE_LENGTH) && header[at] != 0) {
                throw invalid(ring, "reserved", "reserved header byte " + at + " is not zero");
            }
        }
        int cursors = (int) maxCursors;
        expect(ring, "cursor_table_offset", b.getLong(CURSOR_TABLE_OFFSET_OFFSET), CURSOR_TABLE_OFFSET);
        expect(ring, "slot_table_offset", b.getLong(SLOT_TABLE_OFFSET_OFFSET), slotTableOffset(cursors));
        long dataOffset = dataOffset(cursors, capacity);
        expect(ring, "data_offset", b.getLong(DATA_OFFSET_OFFSET), dataOffset);
        long segmentSize = POSITION_LIMIT;
        if (slotSize <= (POSITION_LIMIT - dataOffset) / capacity) {
            segmentSize = dataOffset + slotSize * capacity;
        }
        long storedSegmentSize = b.getLong(SEGMENT_SIZE_OFFSET);
        if (segmentSize >= POSITION_LIMIT || storedSegmentSize != segmentSize) {
            throw invalid(ring, "segment_size", "segment_size " + Long.toUnsignedString(storedSegmentSize)
                    + " does not match the layout (" + (segmentSize >= POSITION_LIMIT ? "over 2^62" : segmentSize) + ")");
        }
        if (fileSize < segmentSize) {
            throw invalid(ring, "segment_size", "the file holds " + fileSize + " bytes but the ring needs "
                    + segmentSize + " (was it truncated?)");
        }
        byte[] instanceId = Arrays.copyOfRange(header, INSTANCE_ID_OFFSET, INSTANCE_ID_OFFSET + INSTANCE_ID_LENGTH);
        if (Arrays.equals(instanceId, new byte[INSTANCE_ID_LENGTH])) {
            throw invalid(ring, "instance_id", "instance_id is all zero");
        }
        long creatorPid = b.getLong(CREATOR_PID_OFFSET);
        if (creatorPid <= 0) {
            throw invalid(ring, "creator_pid", "creator_pid " + creatorPid + " is not positive");
        }
        String stored = storedName(header, NAME_OFFSET, MAX_NAME_BYTES);
        if (stored == null) {
            throw invalid(ring, "name", "the stored name is empty or not UTF-8");
        }
        if (expectedName != null && !stored.equals(expectedName)) {
            throw invalid(ring, "name", "the file holds ring '" + stored + "', not '" + expectedName + "'");
        }
        if (!hashesTo(stored, ring)) {
            throw invalid(ring, "name", "the stored name '" + stored + "' does not hash to this file's name");
        }
        int storedCrc = b.getInt(HEADER_CRC_OFFSET);
        int computed = crc(header);
        if (storedCrc != computed) {
            throw invalid(ring, "header_crc", String.format("header_crc 0x%08x does not match the header (0x%08x)",
                    storedCrc, computed));
        }
        Overflow overflow = overflowCode == OVERFLOW_BLOCK ? Overflow.BLOCK : Overflow.OVERWRITE;
        return new RingGeometry(stored, dtype, shape, slotSize, capacity, cursors, overflow, creatorPid,
                b.getLong(CREATED_NS_OFFSET), instanceId);
    }

    /**
     * The UTF-8 text up to the first NUL of {@code bytes[offset, offset + length)}; null when it is
     * empty or not valid UTF-8.
     */
    public static String storedName(byte[] bytes, int offset, int length) {
        int end = offset;
        while (end < offset + length && bytes[end] != 0) {
            end++;
        }
        if (end == offset) {
            return null;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, offset, end - offset)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static boolean hashesTo(String stored, String ring) {
        try {
            return RingNames.of(stored).segment().equals(RingNames.of(ring).segment());
        } catch (IllegalArgumentException blank) {
            return false;
        }
    }

    private static DType dtype(String ring, int code) {
        try {
            return DType.fromCode(code);
        } catch (IllegalArgumentException e) {
            throw invalid(ring, "dtype_code", "invalid dtype code " + code + " (codes are 0..13)");
        }
    }

    private static long[] shape(String ring, ByteBuffer b) {
        int ndim = Short.toUnsignedInt(b.getShort(NDIM_OFFSET));
        if (ndim < 1 || ndim > MAX_NDIM) {
            throw invalid(ring, "ndim", "ndim " + ndim + " is outside 1.." + MAX_NDIM);
        }
        long[] shape = new long[ndim];
        for (int i = 0; i < MAX_NDIM; i++) {
            long dim = b.getLong(SHAPE_OFFSET + 8 * i);
            if (i < ndim && dim <= 0) {
                throw invalid(ring, "shape", "shape[" + i + "] is " + Long.toUnsignedString(dim) + ", not positive");
            }
            if (i >= ndim && dim != 0) {
                throw invalid(ring, "shape", "shape[" + i + "] past ndim " + ndim + " is not zero");
            }
            if (i < ndim) {
                shape[i] = dim;
            }
        }
        return shape;
    }

    private static void expect(String ring, String field, long stored, long expected) {
        if (stored != expected) {
            throw invalid(ring, field, field + " is " + Long.toUnsignedString(stored) + ", expected " + expected);
        }
    }

    static InvalidMetadataException invalid(String ring, String field, String detail) {
        return new InvalidMetadataException(field, "ring '" + ring + "': " + detail
                + "; it is not a ring this library can use: remove it with Ring.unlink(\"" + ring
                + "\") (or arrow-shm unlink) and create it again");
    }
}

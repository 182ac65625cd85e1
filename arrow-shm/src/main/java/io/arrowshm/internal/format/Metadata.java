package io.arrowshm.internal.format;

import io.arrowshm.DType;
import io.arrowshm.InvalidMetadataException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;

import static io.arrowshm.internal.format.MetadataLayout.*;

/**
 * Encodes a new v3 header and decodes/validates an existing v3 or v2 one, with pyshmem's
 * checks in pyshmem's order (spec §5 steps 2 and 3) and its messages, so that Java and Python
 * reject the same bytes for the same reason.
 */
public final class Metadata {
    private Metadata() {
    }

    /**
     * The 512 bytes of a new v3 metadata segment, CRC included, counters zero. Flags get
     * INSTANCE_ID and HEADER_CRC added to {@code featureFlags}.
     */
    public static byte[] encode(String name, DType dtype, long[] shape, long size, int featureFlags,
                                int deviceIndex, long creatorPid, byte[] instanceId) {
        byte[] name8 = name.getBytes(StandardCharsets.UTF_8);
        if (name8.length > NAME_REGION_LENGTH) {
            throw new IllegalArgumentException("stream name is too long to store in metadata");
        }
        ByteBuffer header = ByteBuffer.allocate(TOTAL_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        header.put(MAGIC_OFFSET, MAGIC);
        header.putShort(VERSION_OFFSET, (short) VERSION);
        header.putShort(HEADER_SIZE_OFFSET, (short) HEADER_LENGTH);
        header.putInt(FLAGS_OFFSET, featureFlags | FLAG_INSTANCE_ID | FLAG_HEADER_CRC);
        header.putShort(DTYPE_OFFSET, (short) dtype.code());
        header.putShort(NDIM_OFFSET, (short) shape.length);
        header.putInt(DEVICE_INDEX_OFFSET, deviceIndex);
        header.putLong(CREATOR_PID_OFFSET, creatorPid);
        header.putLong(SIZE_OFFSET, size);
        header.put(INSTANCE_ID_OFFSET, instanceId);
        for (int i = 0; i < shape.length; i++) {
            header.putLong(SHAPE_OFFSET + 8 * i, shape[i]);
        }
        header.put(NAME_REGION_OFFSET, name8);
        byte[] bytes = header.array();
        header.putInt(HEADER_CRC_OFFSET, crc(bytes));
        return bytes;
    }

    /**
     * pyshmem's header CRC: CRC-32 over bytes [0, 512) with the mutable fields and the CRC slot
     * read as zero (spec §2.6).
     */
    public static int crc(byte[] metadata) {
        byte[] copy = Arrays.copyOf(metadata, TOTAL_LENGTH);
        for (int[] range : CRC_EXCLUDED_RANGES) {
            Arrays.fill(copy, range[0], range[1], (byte) 0);
        }
        CRC32 crc = new CRC32();
        crc.update(copy, 0, TOTAL_LENGTH);
        return (int) crc.getValue();
    }

    /**
     * Step 2 of open: which layout the bytes hold. Not retried by callers: pyshmem fails at
     * once here.
     *
     * @param snapshot at least the first 256 bytes of the segment, or fewer when it is shorter
     * @param segmentLength the segment's real length
     * @return 3 or 2
     */
    public static int detectLayout(String stream, byte[] snapshot, long segmentLength) {
        if (segmentLength < HEADER_LENGTH) {
            throw layout(stream, "metadata segment is too small: expected at least " + HEADER_LENGTH
                    + " bytes, got " + segmentLength);
        }
        ByteBuffer bytes = ByteBuffer.wrap(snapshot).order(ByteOrder.LITTLE_ENDIAN);
        if (Arrays.equals(snapshot, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            int version = Short.toUnsignedInt(bytes.getShort(VERSION_OFFSET));
            if (version != VERSION) {
                throw layout(stream, "unsupported pyshmem metadata version: " + version);
            }
            if (Short.toUnsignedInt(bytes.getShort(HEADER_SIZE_OFFSET)) != HEADER_LENGTH) {
                throw layout(stream, "invalid pyshmem metadata header size");
            }
            return VERSION;
        }
        double version = bytes.getDouble(0);
        // pyshmem compares int(float64[0]) with 2: the float is truncated, so [2.0, 3.0) reads as v2.
        if (!Double.isFinite(version) || (long) version != V2_VERSION) {
            // pyshmem prints int(version): the float truncated to an integer of any size
            String shown = Double.isFinite(version) ? new java.math.BigDecimal(version).toBigInteger().toString()
                    : pythonNumber(version);
            throw layout(stream, "unsupported pyshmem metadata version: " + shown);
        }
        return V2_VERSION;
    }

    /**
     * Step 3 of open: validates every field of a private copy of the segment's first
     * {@code min(length, 512)} bytes and returns the immutable facts.
     *
     * @throws InvalidMetadataException naming the field that failed
     */
    public static StreamDescriptor validate(String stream, byte[] snapshot, long segmentLength) {
        int version = detectLayout(stream, snapshot, segmentLength);
        Fields fields = version == VERSION ? new V3Fields(snapshot) : new V2Fields(snapshot);
        int flags = 0;
        byte[] instanceId = null;
        if (version == VERSION) {
            if (segmentLength < TOTAL_LENGTH) {
                throw invalid(stream, "segment length", "metadata segment too small: expected at least "
                        + TOTAL_LENGTH + ", got " + segmentLength);
            }
            ByteBuffer bytes = ByteBuffer.wrap(snapshot).order(ByteOrder.LITTLE_ENDIAN);
            flags = bytes.getInt(FLAGS_OFFSET);
            if ((flags & ~KNOWN_FLAGS) != 0) {
                throw invalid(stream, "flags", "unsupported metadata flags: 0x" + Integer.toHexString(flags));
            }
            byte[] id = Arrays.copyOfRange(snapshot, INSTANCE_ID_OFFSET, INSTANCE_ID_OFFSET + INSTANCE_ID_LENGTH);
            boolean zero = Arrays.equals(id, new byte[INSTANCE_ID_LENGTH]);
            if ((flags & FLAG_INSTANCE_ID) != 0) {
                if (zero) {
                    throw invalid(stream, "instance_id", "instance_id metadata cannot be zero");
                }
                instanceId = id;
            } else if (!zero) {
                throw invalid(stream, "instance_id", "instance_id requires its metadata feature flag");
            }
        }

        String storedName = storedName(snapshot, segmentLength);
        if (version == VERSION && storedName == null) {
            throw invalid(stream, "name", "version 3 metadata does not contain a stream name");
        }
        if (storedName != null && !storedName.equals(stream)) {
            throw invalid(stream, "name", "metadata name mismatch: expected " + pythonRepr(stream) + ", found "
                    + pythonRepr(storedName));
        }

        DType dtype = dtype(stream, fields);
        long ndim = fields.integer(stream, "ndim");
        if (ndim <= 0 || ndim > MAX_NDIM) {
            throw invalid(stream, "ndim", "invalid ndim in metadata: " + ndim);
        }
        long[] shape = new long[(int) ndim];
        boolean positive = true;
        for (int i = 0; i < shape.length; i++) {
            shape[i] = fields.shape(stream, i);
            positive &= fields.dimensionPositive(shape[i]);
        }
        if (!positive) {
            throw invalid(stream, "shape", "invalid shape in metadata: " + fields.shapeText(shape));
        }
        if (version == VERSION) {
            for (int i = shape.length; i < MAX_NDIM; i++) {
                if (((V3Fields) fields).bytes.getLong(SHAPE_OFFSET + 8 * i) != 0) {
                    throw invalid(stream, "shape", "unused shape entries in metadata must be zero");
                }
            }
        }
        long size = fields.integer(stream, "size");
        checkSize(stream, fields, shape, dtype, size);

        long gpuRaw = fields.flagOrInteger(stream, "gpu_enabled", FLAG_GPU_ENABLED, flags);
        long mirrorRaw = fields.flagOrInteger(stream, "cpu_mirror", FLAG_CPU_MIRROR, flags);
        if ((gpuRaw != 0 && gpuRaw != 1) || (mirrorRaw != 0 && mirrorRaw != 1)) {
            throw invalid(stream, "gpu_enabled", "metadata boolean fields must be zero or one");
        }
        boolean gpu = gpuRaw == 1;
        boolean mirror = mirrorRaw == 1;
        long deviceIndex = fields.integer(stream, "device_index");
        if (gpu && deviceIndex < 0) {
            throw invalid(stream, "device_index", "GPU metadata requires a non-negative device index");
        }
        if (!gpu && deviceIndex != -1) {
            throw invalid(stream, "device_index", "CPU metadata requires device_index=-1");
        }
        if (!gpu && !mirror) {
            throw invalid(stream, "cpu_mirror", "CPU metadata requires its shared payload");
        }
        long creatorPid = fields.integer(stream, "creator_pid");
        if (creatorPid <= 0) {
            throw invalid(stream, "creator_pid", "invalid creator_pid in metadata: " + creatorPid);
        }
        fields.checkCount(stream);
        fields.integer(stream, "write_sequence");
        double writeTime = fields.writeTime();
        if (!Double.isFinite(writeTime) || writeTime < 0) {
            throw invalid(stream, "write_time", "invalid write_time in metadata: " + pythonNumber(writeTime));
        }
        long owner = fields.integer(stream, "lock_owner_pid");
        long depth = fields.integer(stream, "lock_depth");
        if (owner < 0 || depth < 0) {
            throw invalid(stream, "lock_owner_pid", "lock metadata cannot be negative");
        }
        if ((owner == 0) != (depth == 0)) {
            throw invalid(stream, "lock_depth", "lock owner and depth metadata are inconsistent");
        }
        if (version == VERSION) {
            int stored = ((V3Fields) fields).bytes.getInt(HEADER_CRC_OFFSET);
            if ((flags & FLAG_HEADER_CRC) != 0) {
                if (stored != crc(snapshot)) {
                    throw invalid(stream, "header_crc", "metadata header checksum mismatch");
                }
            } else if (stored != 0) {
                throw invalid(stream, "header_crc", "header_crc requires its metadata feature flag");
            }
        }
        return new StreamDescriptor(version, dtype, shape, size, flags, gpu, mirror, (int) deviceIndex,
                creatorPid, instanceId);
    }

    /**
     * The name stored in bytes [256, 512): up to the first NUL, strict UTF-8; {@code null} when
     * the segment has no name region, or it is empty or undecodable.
     */
    public static String storedName(byte[] snapshot, long segmentLength) {
        if (segmentLength < TOTAL_LENGTH || snapshot.length < TOTAL_LENGTH) {
            return null;
        }
        int end = NAME_REGION_OFFSET;
        while (end < TOTAL_LENGTH && snapshot[end] != 0) {
            end++;
        }
        if (end == NAME_REGION_OFFSET) {
            return null;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(snapshot, NAME_REGION_OFFSET, end - NAME_REGION_OFFSET))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static DType dtype(String stream, Fields fields) {
        long code = fields.dtypeCode(stream);
        if (code < 0 || code > DType.COMPLEX128.code()) {
            throw invalid(stream, "dtype_code", "invalid dtype code in metadata: " + code);
        }
        return DType.fromCode((int) code);
    }

    private static void checkSize(String stream, Fields fields, long[] shape, DType dtype, long size) {
        BigInteger expected = BigInteger.valueOf(dtype.itemSize());
        for (int i = 0; i < shape.length; i++) {
            expected = expected.multiply(fields.exactShape(i, shape[i]));
        }
        BigInteger declared = fields.exactSize(size);
        if (!expected.equals(declared)) {
            throw invalid(stream, "size", "metadata size does not match shape and dtype: expected " + expected
                    + ", got " + declared);
        }
        if (declared.bitLength() > 62) {
            // Valid for pyshmem, but no process can map it; refuse before anything sizes a buffer from it.
            throw invalid(stream, "size", "metadata size " + declared + " is larger than any mapping");
        }
    }

    private static InvalidMetadataException layout(String stream, String detail) {
        return new InvalidMetadataException("layout", "'" + stream
                + "' does not contain a supported pyshmem metadata block (" + detail + ")" + advice(stream));
    }

    static InvalidMetadataException invalid(String stream, String field, String detail) {
        return new InvalidMetadataException(field, "stream '" + stream + "': " + detail + advice(stream));
    }

    private static String advice(String stream) {
        return "; the metadata is corrupt or not pyshmem's: remove the stream with SharedMemory.unlink(\""
                + stream + "\") (or `arrow-shm unlink`) and create it again";
    }

    /**
     * A string as Python's {@code repr} prints it: single quotes unless it holds a single quote
     * and no double quote, backslash escapes for quotes, backslashes, tab, newline and return,
     * and hex escapes (two, four or eight digits) for characters that are not printable.
     */
    static String pythonRepr(String text) {
        char quote = text.indexOf('\'') >= 0 && text.indexOf('"') < 0 ? '"' : '\'';
        StringBuilder out = new StringBuilder().append(quote);
        text.codePoints().forEach(c -> {
            if (c == quote || c == '\\') {
                out.append('\\').appendCodePoint(c);
            } else if (c == '\t') {
                out.append("\\t");
            } else if (c == '\n') {
                out.append("\\n");
            } else if (c == '\r') {
                out.append("\\r");
            } else if (printable(c)) {
                out.appendCodePoint(c);
            } else if (c < 0x100) {
                out.append(String.format("\\x%02x", c));
            } else if (c < 0x10000) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.append(String.format("\\U%08x", c));
            }
        });
        return out.append(quote).toString();
    }

    /** Python's str.isprintable for one code point: not a control, format, separator (but space) or unassigned. */
    private static boolean printable(int c) {
        if (c == ' ') {
            return true;
        }
        switch (Character.getType(c)) {
            case Character.CONTROL:
            case Character.FORMAT:
            case Character.SURROGATE:
            case Character.PRIVATE_USE:
            case Character.UNASSIGNED:
            case Character.LINE_SEPARATOR:
            case Character.PARAGRAPH_SEPARATOR:
            case Character.SPACE_SEPARATOR:
                return false;
            default:
                return true;
        }
    }

    /**
     * A float as Python's {@code repr} prints it ({@code 2.0}, {@code 1e+300}, {@code nan}), so
     * that messages match pyshmem's word for word: shortest digits, positional for decimal
     * exponents -4..15, scientific with a signed two-digit exponent otherwise.
     */
    static String pythonNumber(double value) {
        if (Double.isNaN(value)) {
            return "nan";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "inf" : "-inf";
        }
        if (value == 0) {
            return 1 / value < 0 ? "-0.0" : "0.0";
        }
        java.math.BigDecimal decimal = io.arrowshm.tools.ShortestDigits.of(Math.abs(value));
        String digits = decimal.unscaledValue().toString();
        int exponent = digits.length() - 1 - decimal.scale();
        String sign = value < 0 ? "-" : "";
        if (exponent >= -4 && exponent < 16) {
            String plain = decimal.toPlainString();
            return sign + (plain.contains(".") ? plain : plain + ".0");
        }
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + (Math.abs(exponent) < 10 ? "0" : "")
                + Math.abs(exponent);
    }

    /** Field access over one layout; v3 reads typed little-endian slots, v2 reads float64 slots. */
    private abstract static class Fields {
        final ByteBuffer bytes;

        Fields(byte[] snapshot) {
            this.bytes = ByteBuffer.wrap(snapshot).order(ByteOrder.LITTLE_ENDIAN);
        }

        abstract long dtypeCode(String stream);

        abstract long integer(String stream, String field);

        abstract long shape(String stream, int index);

        abstract boolean dimensionPositive(long dim);

        abstract String shapeText(long[] shape);

        abstract BigInteger unsigned(long value);

        /** Dimension {@code index} as pyshmem's integer (unbounded), given its long reading. */
        abstract BigInteger exactShape(int index, long dim);

        /** The size as pyshmem's integer (unbounded), given its long reading. */
        abstract BigInteger exactSize(long size);

        abstract long flagOrInteger(String stream, String field, int flag, int flags);

        abstract void checkCount(String stream);

        abstract double writeTime();
    }

    private static final class V3Fields extends Fields {
        V3Fields(byte[] snapshot) {
            super(snapshot);
        }

        @Override
        long dtypeCode(String stream) {
            return Short.toUnsignedLong(bytes.getShort(DTYPE_OFFSET));
        }

        @Override
        long integer(String stream, String field) {
            switch (field) {
                case "ndim":
                    return Short.toUnsignedLong(bytes.getShort(NDIM_OFFSET)); // u16: always exact
                case "size":
                    return exact(stream, field, bytes.getLong(SIZE_OFFSET), true, "array(%s, dtype=uint64)");
                case "device_index":
                    return bytes.getInt(DEVICE_INDEX_OFFSET); // i32: always exact
                case "creator_pid":
                    return exact(stream, field, bytes.getLong(CREATOR_PID_OFFSET), false, "array(%s)");
                case "write_sequence":
                    return exact(stream, field, bytes.getLong(WRITE_SEQUENCE_OFFSET), false, "array(%s)");
                case "lock_owner_pid":
                    return exact(stream, field, bytes.getLong(LOCK_OWNER_PID_OFFSET), false, "array(%s)");
                case "lock_depth":
                    return Integer.toUnsignedLong(bytes.getInt(LOCK_DEPTH_OFFSET)); // u32: always exact
                default:
                    throw new IllegalArgumentException(field);
            }
        }

        /**
         * pyshmem decodes every integer field through float64 and rejects values it cannot
         * hold exactly (above 2^53 with low bits set); Java must refuse the same headers. The
         * message shows the value as NumPy's repr does ({@code reprFormat}: a 0-d array for
         * header fields, a scalar for shape entries).
         */
        private static long exact(String stream, String field, long value, boolean unsigned, String reprFormat) {
            BigInteger whole = unsigned ? new BigInteger(Long.toUnsignedString(value)) : BigInteger.valueOf(value);
            if (new java.math.BigDecimal(whole).compareTo(new java.math.BigDecimal(whole.doubleValue())) != 0) {
                throw invalid(stream, field, "invalid " + field + " in metadata: " + String.format(reprFormat, whole));
            }
            return value;
        }

        @Override
        long shape(String stream, int index) {
            return exact(stream, "shape[" + index + "]", bytes.getLong(SHAPE_OFFSET + 8 * index), true, "np.uint64(%s)");
        }

        @Override
        boolean dimensionPositive(long dim) {
            return dim != 0; // u64: every non-zero value is positive
        }

        @Override
        String shapeText(long[] shape) {
            StringBuilder text = new StringBuilder("(");
            for (int i = 0; i < shape.length; i++) {
                text.append(i == 0 ? "" : ", ").append(Long.toUnsignedString(shape[i]));
            }
            return text.append(shape.length == 1 ? ",)" : ")").toString();
        }

        @Override
        BigInteger unsigned(long value) {
            return new BigInteger(Long.toUnsignedString(value));
        }

        @Override
        BigInteger exactShape(int index, long dim) {
            return unsigned(dim);
        }

        @Override
        BigInteger exactSize(long size) {
            return unsigned(size);
        }

        @Override
        long flagOrInteger(String stream, String field, int flag, int flags) {
            return (flags & flag) != 0 ? 1 : 0;
        }

        @Override
        void checkCount(String stream) {
            exact(stream, "count", bytes.getLong(COUNT_OFFSET), true, "array(%s, dtype=uint64)"); // u64: never negative
        }

        @Override
        double writeTime() {
            return bytes.getDouble(WRITE_TIME_OFFSET);
        }
    }

    /** Legacy float64[32]: every integer field must be a finite, integral float (pyshmem's rule). */
    private static final class V2Fields extends Fields {
        V2Fields(byte[] snapshot) {
            super(snapshot);
        }

        private double slot(int index) {
            return bytes.getDouble(v2Offset(index));
        }

        /**
         * pyshmem accepts any finite, integral float here (Python integers are unbounded); the
         * value saturates at the long range, which only matters for fields that other checks
         * (ndim, size) then reject anyway.
         */
        private long integral(String stream, String field, double value) {
            if (!Double.isFinite(value) || value != Math.rint(value)) {
                throw invalid(stream, field, "invalid " + field + " in metadata: np.float64(" + pythonNumber(value) + ")");
            }
            return (long) value;
        }

        @Override
        long dtypeCode(String stream) {
            double code = slot(V2_DTYPE);
            if (!Double.isFinite(code) || code != Math.rint(code)) {
                throw invalid(stream, "dtype_code", "invalid dtype code in metadata: " + pythonNumber(code));
            }
            return code < 0 || code > 1000 ? -1 : (long) code;
        }

        @Override
        long integer(String stream, String field) {
            int slot;
            switch (field) {
                case "ndim": slot = V2_NDIM; break;
                case "size": slot = V2_SIZE; break;
                case "device_index": slot = V2_DEVICE_INDEX; break;
                case "creator_pid": slot = V2_CREATOR_PID; break;
                case "write_sequence": slot = V2_WRITE_SEQUENCE; break;
                case "lock_owner_pid": slot = V2_LOCK_OWNER_PID; break;
                case "lock_depth": slot = V2_LOCK_DEPTH; break;
                default: throw new IllegalArgumentException(field);
            }
            return integral(stream, field, slot(slot));
        }

        @Override
        long shape(String stream, int index) {
            return integral(stream, "shape[" + index + "]", slot(V2_SHAPE + index));
        }

        @Override
        boolean dimensionPositive(long dim) {
            return dim > 0;
        }

        @Override
        String shapeText(long[] shape) {
            StringBuilder text = new StringBuilder("(");
            for (int i = 0; i < shape.length; i++) {
                text.append(i == 0 ? "" : ", ").append(shape[i]);
            }
            return text.append(shape.length == 1 ? ",)" : ")").toString();
        }

        @Override
        BigInteger unsigned(long value) {
            return BigInteger.valueOf(value);
        }

        @Override
        BigInteger exactShape(int index, long dim) {
            return new java.math.BigDecimal(slot(V2_SHAPE + index)).toBigInteger();
        }

        @Override
        BigInteger exactSize(long size) {
            return new java.math.BigDecimal(slot(V2_SIZE)).toBigInteger();
        }

        @Override
        long flagOrInteger(String stream, String field, int flag, int flags) {
            return integral(stream, field, slot(field.equals("gpu_enabled") ? V2_GPU_ENABLED : V2_CPU_MIRROR));
        }

        @Override
        void checkCount(String stream) {
            long count = integral(stream, "count", slot(V2_COUNT));
            if (count < 0) {
                throw invalid(stream, "count", "invalid count in metadata: " + count);
            }
        }

        @Override
        double writeTime() {
            return slot(V2_WRITE_TIME);
        }
    }
}

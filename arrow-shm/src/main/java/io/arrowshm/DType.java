package io.arrowshm;

/**
 * The element types a stream can hold, with pyshmem's stable codes (spec §2.4). Payloads are
 * C-order and little-endian.
 *
 * <p>Each dtype names the Java array type that holds its elements without conversion: the
 * {@code write} and {@code readInto} overloads for that array type accept it, and
 * {@code byte[]} accepts every dtype as raw bytes. Unsigned integers use the signed array of
 * the same width (bits unchanged), float16 uses {@code short[]} (IEEE binary16 bits),
 * complex types use interleaved (real, imaginary) {@code float[]}/{@code double[]}.
 *
 * <pre>{@code
 * DType t = DType.fromNumpyName("float32");   // FLOAT32, code 9, 4 bytes
 * }</pre>
 */
public enum DType {
    INT8(0, 1, "int8", byte[].class),
    INT16(1, 2, "int16", short[].class),
    INT32(2, 4, "int32", int[].class),
    INT64(3, 8, "int64", long[].class),
    UINT8(4, 1, "uint8", byte[].class),
    UINT16(5, 2, "uint16", short[].class),
    UINT32(6, 4, "uint32", int[].class),
    UINT64(7, 8, "uint64", long[].class),
    FLOAT16(8, 2, "float16", short[].class),
    FLOAT32(9, 4, "float32", float[].class),
    FLOAT64(10, 8, "float64", double[].class),
    BOOL(11, 1, "bool", boolean[].class),
    COMPLEX64(12, 8, "complex64", float[].class),
    COMPLEX128(13, 16, "complex128", double[].class);

    private static final DType[] BY_CODE = values();

    private final int code;
    private final int itemSize;
    private final String numpyName;
    private final Class<?> javaArrayType;

    DType(int code, int itemSize, String numpyName, Class<?> javaArrayType) {
        this.code = code;
        this.itemSize = itemSize;
        this.numpyName = numpyName;
        this.javaArrayType = javaArrayType;
    }

    /** pyshmem's dtype code, stored in the metadata header. */
    public int code() {
        return code;
    }

    /** Bytes per element. */
    public int itemSize() {
        return itemSize;
    }

    /** The NumPy name, as {@code str(np.dtype)} prints it and {@code pyshmem.stat} reports it. */
    public String numpyName() {
        return numpyName;
    }

    /** The primitive array type whose elements carry this dtype's values as they are stored. */
    public Class<?> javaArrayType() {
        return javaArrayType;
    }

    /** Whether a Java array of {@code arrayType} can be copied to or from this dtype's payload. */
    public boolean accepts(Class<?> arrayType) {
        return arrayType == javaArrayType || arrayType == byte[].class;
    }

    /**
     * The dtype with pyshmem code {@code code}.
     *
     * @throws IllegalArgumentException for a code outside 0..13
     */
    public static DType fromCode(int code) {
        if (code < 0 || code >= BY_CODE.length) {
            throw new IllegalArgumentException("invalid dtype code: " + code + " (pyshmem codes are 0..13)");
        }
        return BY_CODE[code];
    }

    /**
     * The dtype NumPy calls {@code name} ({@code "float32"}, {@code "uint8"}, {@code "bool"}, ...).
     *
     * @throws IllegalArgumentException for a name pyshmem does not support
     */
    public static DType fromNumpyName(String name) {
        for (DType type : BY_CODE) {
            if (type.numpyName.equals(name)) {
                return type;
            }
        }
        throw new IllegalArgumentException("unsupported dtype: " + name + " (supported: int8..int64, "
                + "uint8..uint64, float16, float32, float64, bool, complex64, complex128)");
    }
}

package io.arrowshm.gpu;

import io.arrowshm.SharedMemoryException;

/**
 * A stream's {@code _gpu} handle segment was refused: it is not a payload this reader
 * accepts (pyshmem raises {@code pickle.UnpicklingError} or {@code ValueError} for the
 * same cases). {@link #kind()} says which check failed; nothing in the segment was ever
 * executed or loaded.
 *
 * <pre>{@code
 * try {
 *     GpuHandleSegment.decode(segment);
 * } catch (InvalidGpuHandleException e) {
 *     if (e.kind() == InvalidGpuHandleException.Kind.DISALLOWED_GLOBAL) { ... someone tampered with it ... }
 * }
 * }</pre>
 */
public class InvalidGpuHandleException extends SharedMemoryException {
    private static final long serialVersionUID = 1L;

    /** Which check refused the segment. */
    public enum Kind {
        /** The segment is neither a torch pickle nor an arrow-shm GPU record. */
        UNKNOWN_FORMAT,
        /** A pickle opcode outside the small set torch's CUDA reduction uses (spec §6.4). */
        UNSUPPORTED_OPCODE,
        /** A pickle global outside pyshmem's allowlist (spec §6.3). */
        DISALLOWED_GLOBAL,
        /** The bytes end before the pickle's STOP or before a declared length. */
        TRUNCATED,
        /** A bound on size, stack, memo or nesting was exceeded. */
        LIMIT_EXCEEDED,
        /** The pickle is not well formed (stack underflow, bad memo index, bad UTF-8...). */
        MALFORMED,
        /** A well-formed pickle whose values are not torch's 15-argument CUDA rebuild call. */
        WRONG_STRUCTURE,
        /** A storage handle version or type this reader cannot map (e.g. expandable segments). */
        UNSUPPORTED_HANDLE,
        /** Shape, stride, offsets, dtype or device disagree with each other or with the stream. */
        GEOMETRY_MISMATCH,
        /** An arrow-shm GPU record that fails its magic, checksum or field checks. */
        CORRUPT_RECORD,
        /**
         * The payload a handle describes does not lie inside the device allocation it names, as
         * this process knows it (what it allocated, or what the driver says it mapped).
         */
        OUTSIDE_ALLOCATION
    }

    private final Kind kind;

    public InvalidGpuHandleException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    /** The check that failed. */
    public Kind kind() {
        return kind;
    }
}

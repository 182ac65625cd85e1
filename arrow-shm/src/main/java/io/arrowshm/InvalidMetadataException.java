package io.arrowshm;

/**
 * A stream's metadata failed validation (pyshmem raises ValueError for the same cases).
 * {@link #field()} names the header field that failed.
 */
public class InvalidMetadataException extends SharedMemoryException {
    private static final long serialVersionUID = 1L;
    private final String field;

    public InvalidMetadataException(String field, String message) {
        super(message);
        this.field = field;
    }

    public InvalidMetadataException(String field, String message, Throwable cause) {
        super(message, cause);
        this.field = field;
    }

    /** The metadata field that failed validation, e.g. {@code "flags"} or {@code "header_crc"}. */
    public String field() {
        return field;
    }
}

package io.arrowshm.internal.posix;

/** The exclusive create of a segment found the name taken. Turned into StreamExistsException by callers. */
public final class SegmentExistsException extends ShmIoException {
    private static final long serialVersionUID = 1L;

    public SegmentExistsException(String file) {
        super(file + " already exists");
    }
}

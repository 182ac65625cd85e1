package io.arrowshm.internal.posix;

import io.arrowshm.SharedMemoryIoException;

/** The exclusive create of a segment found the name taken. Turned into StreamExistsException by callers. */
public final class SegmentExistsException extends SharedMemoryIoException {
    private static final long serialVersionUID = 1L;

    public SegmentExistsException(String file) {
        super(file + " already exists");
    }
}

package io.arrowshm;

/** create() found the name taken (pyshmem raises FileExistsError here). */
public class StreamExistsException extends SharedMemoryException {
    private static final long serialVersionUID = 1L;

    public StreamExistsException(String message) {
        super(message);
    }
}

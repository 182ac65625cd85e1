package io.arrowshm;

/** The named stream does not exist (pyshmem raises FileNotFoundError here). */
public class StreamNotFoundException extends SharedMemoryException {
    private static final long serialVersionUID = 1L;

    public StreamNotFoundException(String message) {
        super(message);
    }
}

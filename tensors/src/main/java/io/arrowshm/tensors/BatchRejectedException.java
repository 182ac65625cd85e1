package io.arrowshm.tensors;

/**
 * A record batch (or the schema it would be read with) refused from its header before Arrow Java
 * loaded it: over an {@link IpcLimits} limit ({@link #overLimit()}), or declaring what its body
 * does not hold. The message is one line saying what was declared and what was allowed.
 */
public class BatchRejectedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final boolean overLimit;

    public BatchRejectedException(String message, boolean overLimit) {
        super(message);
        this.overLimit = overLimit;
    }

    /** True when the batch is well formed but larger than the limits; false when it lies or is malformed. */
    public boolean overLimit() {
        return overLimit;
    }
}

package io.arrowshm;

/**
 * What a ring's writer does when the slowest reader is a whole ring behind (ring-format §5.3).
 *
 * <pre>{@code
 * Ring lossless = Ring.create("frames", RingOptions.of(DType.FLOAT32, 480, 640).overflow(Overflow.BLOCK));
 * Ring latest = Ring.create("preview", RingOptions.of(DType.UINT8, 480, 640).overflow(Overflow.OVERWRITE));
 * }</pre>
 */
public enum Overflow {
    /**
     * The writer waits (until its deadline, an interrupt or close) while the slowest live blocking
     * cursor is {@code capacity} frames behind: nothing is lost. A cursor whose reader died or
     * closed holds the writer back only for its grace period.
     */
    BLOCK,
    /**
     * The writer never waits; a reader that falls a whole ring behind is lapped, learns exactly
     * how many frames it lost, and continues at the oldest frame still retained.
     */
    OVERWRITE
}

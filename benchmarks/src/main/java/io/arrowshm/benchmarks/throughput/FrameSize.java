package io.arrowshm.benchmarks.throughput;

/**
 * The frames of the throughput cases, float32, and how many of them the ring (or Agrona's buffer)
 * holds: enough that the writer and the readers rarely wait for each other, small enough that
 * four readers' mappings of it fit the machine.
 */
public enum FrameSize {
    /** 97 float32 (388 bytes): the per-message overhead dominates. */
    SMALL("97", 97, 1024, 300_000),
    /** 64 KiB. */
    MEDIUM("64KiB", 16 * 1024, 64, 30_000),
    /** 4 MiB: the copies dominate. */
    LARGE("4MiB", 1024 * 1024, 16, 1_000);

    private final String label;
    private final int elements;
    private final int slots;
    private final long warmupFrames;

    FrameSize(String label, int elements, int slots, long warmupFrames) {
        this.label = label;
        this.elements = elements;
        this.slots = slots;
        this.warmupFrames = warmupFrames;
    }

    /**
     * Frames a full run's warm-up sends at least, however long they take: on a loaded machine a
     * warm-up of 2 s wall time left the ring's code uncompiled (24 thousand frames of 97 float32,
     * then 40 thousand frames/s measured, against 250 thousand/s after 950 thousand frames).
     */
    public long warmupFrames() {
        return warmupFrames;
    }

    public String label() {
        return label;
    }

    public int elements() {
        return elements;
    }

    public int bytes() {
        return elements * Float.BYTES;
    }

    /** The ring's capacity for these frames. */
    public int slots() {
        return slots;
    }

    /** Whether the memcpy reference applies: frames big enough that the copy, not the message, is the cost. */
    public boolean large() {
        return this != SMALL;
    }

    public static FrameSize of(String label) {
        for (FrameSize size : values()) {
            if (size.label.equals(label)) {
                return size;
            }
        }
        throw new IllegalArgumentException("no frame size " + label);
    }
}

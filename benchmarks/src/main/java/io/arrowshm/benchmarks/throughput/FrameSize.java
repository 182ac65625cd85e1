package io.arrowshm.benchmarks.throughput;

/**
 * The frames of the throughput cases, float32, and how many of them the ring (or Agrona's buffer)
 * holds: enough that the writer and the readers rarely wait for each other, small enough that
 * four readers' mappings of it fit the machine.
 */
public enum FrameSize {
    /** 97 float32 (388 bytes): the per-message overhead dominates. */
    SMALL("97", 97, 1024),
    /** 64 KiB. */
    MEDIUM("64KiB", 16 * 1024, 64),
    /** 4 MiB: the copies dominate. */
    LARGE("4MiB", 1024 * 1024, 16);

    private final String label;
    private final int elements;
    private final int slots;

    FrameSize(String label, int elements, int slots) {
        this.label = label;
        this.elements = elements;
        this.slots = slots;
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

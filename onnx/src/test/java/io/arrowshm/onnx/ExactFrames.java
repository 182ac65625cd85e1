package io.arrowshm.onnx;

import io.arrowshm.Ring;
import io.arrowshm.RingWriter;
import java.time.Duration;

/**
 * Frames whose float32 values are exact, so Java and Python build the same bits from a position:
 * element {@code i} of frame {@code p} is {@code ((p * 7919 + i * 104729) mod 2001 - 1000) / 256}.
 * src/test/python/onnx_ring_check.py computes the same. As a child JVM ({@code main}), it writes
 * frames to a ring: {@code NAME COUNT}, frame id {@code 1000000 + p}.
 */
public final class ExactFrames {
    /** Added to a frame's position to make its frame id, so ids and positions differ. */
    public static final long ID_OFFSET = 1_000_000;

    private ExactFrames() {
    }

    public static float value(long p, long i) {
        return (float) (Math.floorMod(p * 7919 + i * 104729, 2001) - 1000) / 256f;
    }

    public static float[] frame(long p, int elements) {
        float[] out = new float[elements];
        for (int i = 0; i < elements; i++) {
            out[i] = value(p, i);
        }
        return out;
    }

    public static void main(String[] args) {
        long count = Long.parseLong(args[1]);
        try (Ring ring = Ring.open(args[0]); RingWriter writer = ring.writer(Duration.ofSeconds(30))) {
            int elements = Math.toIntExact(ring.size() / 4);
            System.out.println("writing");
            for (long p = writer.position(), end = p + count; p < end; p++) {
                writer.write(frame(p, elements), ID_OFFSET + p, Duration.ofSeconds(60));
            }
            System.out.println("wrote " + count);
        }
    }
}

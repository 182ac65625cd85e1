package io.arrowshm.onnx;

/**
 * Frames whose float32 values are exact, so Java and Python build the same bits from a position:
 * element {@code i} of frame {@code p} is {@code ((p * 7919 + i * 104729) mod 2001 - 1000) / 256}.
 * src/test/python/onnx_ring_producer.py computes the same.
 */
public final class ExactFrames {
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
}

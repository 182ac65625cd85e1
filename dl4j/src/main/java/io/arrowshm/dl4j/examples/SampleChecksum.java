package io.arrowshm.dl4j.examples;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * An order-dependent checksum of samples (64-bit FNV-1a over the bits of each value, features
 * then label), and their count: a producer and a trainer with the same count and checksum saw
 * the same samples, each once, in the same order.
 *
 * <pre>{@code
 * SampleChecksum written = new SampleChecksum();
 * written.add(sample);                        // each sample the producer writes
 * SampleChecksum seen = new SampleChecksum();
 * seen.add(dataSet);                          // each batch the trainer gets
 * System.out.println(written.equals(seen));
 * }</pre>
 */
public final class SampleChecksum {
    private static final long OFFSET = 0xcbf29ce484222325L;
    private static final long PRIME = 0x100000001b3L;
    private long hash = OFFSET;
    private long count;

    /** Adds one sample: its values in order (the features, then the label). */
    public void add(float[] sample) {
        for (float v : sample) {
            mix(Float.floatToRawIntBits(v));
        }
        count++;
    }

    /** Adds every row of a batch: row {@code i}'s features, then its label. */
    public void add(DataSet batch) {
        INDArray features = batch.getFeatures();
        INDArray labels = batch.getLabels();
        for (long r = 0; r < features.size(0); r++) {
            for (float v : features.getRow(r).toFloatVector()) {
                mix(Float.floatToRawIntBits(v));
            }
            for (float v : labels.getRow(r).toFloatVector()) {
                mix(Float.floatToRawIntBits(v));
            }
            count++;
        }
    }

    private void mix(int bits) {
        for (int k = 0; k < 4; k++) {
            hash = (hash ^ ((bits >>> (8 * k)) & 0xff)) * PRIME;
        }
    }

    public long count() {
        return count;
    }

    /** The checksum, 16 hex digits. */
    public String hex() {
        return String.format("%016x", hash);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SampleChecksum other && other.hash == hash && other.count == count;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(hash * 31 + count);
    }

    @Override
    public String toString() {
        return count + " samples, checksum " + hex();
    }
}

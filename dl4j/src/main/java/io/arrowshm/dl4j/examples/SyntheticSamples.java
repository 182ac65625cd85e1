package io.arrowshm.dl4j.examples;

import java.util.SplittableRandom;

/**
 * A separable classification problem the examples train on: {@value #FEATURES} standard-normal
 * features, and a one-hot label over {@value #CLASSES} classes, the class whose fixed random
 * weight vector has the largest dot product with the features. A linear boundary separates the
 * classes exactly, so a small network learns it well above chance (25 %). Sample {@code i} is a
 * pure function of the seed and {@code i}: a producer and a checker in other processes agree on
 * every bit.
 *
 * <pre>{@code
 * SyntheticSamples problem = new SyntheticSamples(42);
 * float[] sample = new float[SyntheticSamples.WIDTH];
 * problem.sample(7, sample);            // 16 features, then 4 label values (one of them 1)
 * }</pre>
 */
public final class SyntheticSamples {
    /** Features per sample. */
    public static final int FEATURES = 16;
    /** Classes (the label's length). */
    public static final int CLASSES = 4;
    /** Values per sample: the features, then the one-hot label. */
    public static final int WIDTH = FEATURES + CLASSES;

    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private final long seed;
    private final float[][] weights = new float[CLASSES][FEATURES];

    /** The problem of {@code seed}: its class weights, and every sample. */
    public SyntheticSamples(long seed) {
        this.seed = seed;
        SplittableRandom random = new SplittableRandom(seed);
        for (float[] row : weights) {
            for (int j = 0; j < FEATURES; j++) {
                row[j] = (float) random.nextGaussian();
            }
        }
    }

    /** Writes sample {@code index} into {@code into[0, WIDTH)}: features, then the one-hot label. */
    public void sample(long index, float[] into) {
        SplittableRandom random = new SplittableRandom(seed * GOLDEN + index);
        for (int j = 0; j < FEATURES; j++) {
            into[j] = (float) random.nextGaussian();
        }
        int best = 0;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < CLASSES; c++) {
            double score = 0;
            for (int j = 0; j < FEATURES; j++) {
                score += weights[c][j] * into[j];
            }
            if (score > bestScore) {
                bestScore = score;
                best = c;
            }
        }
        for (int c = 0; c < CLASSES; c++) {
            into[FEATURES + c] = c == best ? 1f : 0f;
        }
    }
}

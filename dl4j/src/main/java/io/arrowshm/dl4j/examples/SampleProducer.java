package io.arrowshm.dl4j.examples;

import io.arrowshm.Ring;
import io.arrowshm.RingWriter;
import io.arrowshm.dl4j.RingDataSetIterator;
import java.time.Duration;

/**
 * A JVM producer for the training example, benchmark and tests: writes {@link SyntheticSamples}
 * to a ring the trainer created, each epoch followed by an {@link RingDataSetIterator#END_OF_EPOCH}
 * marker, then a test epoch (the trainer measures its accuracy on it), and prints what it wrote.
 * dl4j/src/test/python/sample_producer.py is the Python producer with the same protocol and output
 * (its samples come from NumPy's generator, so the two write different samples of the same kind).
 *
 * <pre>{@code
 * java ... SampleProducer samples 20000                   # one ring: features, then the label
 * java ... SampleProducer features 20000 --labels labels  # two rings, frame p of each is sample p
 * java ... SampleProducer samples 20000 --epochs 3 --test 2000 --seed 42
 * }</pre>
 *
 * Frame ids are the sample's index. It prints {@code epoch E: wrote N samples, checksum X} per
 * epoch ({@code test: ...} for the test epoch, 2000 samples unless {@code --test} says otherwise;
 * 0: none), then {@code wrote N samples, checksum X} for all, with {@link SampleChecksum}'s figures.
 */
public final class SampleProducer {
    private static final Duration SPACE = Duration.ofSeconds(60);

    private SampleProducer() {
    }

    public static void main(String[] args) {
        if (args.length < 2) {
            System.err.println("usage: SampleProducer <ring> <samples per epoch> [--labels <ring>] [--epochs N]"
                    + " [--test N] [--seed S]");
            System.exit(2);
        }
        String ringName = args[0];
        long perEpoch = Long.parseLong(args[1]);
        String labelRing = null;
        int epochs = 1;
        int test = 2000;
        long seed = 42;
        for (int i = 2; i < args.length; i++) {
            switch (args[i]) {
                case "--labels" -> labelRing = args[++i];
                case "--epochs" -> epochs = Integer.parseInt(args[++i]);
                case "--test" -> test = Integer.parseInt(args[++i]);
                case "--seed" -> seed = Long.parseLong(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        SyntheticSamples problem = new SyntheticSamples(seed);
        SampleChecksum all = new SampleChecksum();
        try (Ring features = Ring.open(ringName); Ring labels = labelRing == null ? null : Ring.open(labelRing);
             RingWriter f = features.writer(SPACE); RingWriter l = labels == null ? null : labels.writer(SPACE)) {
            float[] sample = new float[SyntheticSamples.WIDTH];
            float[] x = new float[SyntheticSamples.FEATURES];
            float[] y = new float[SyntheticSamples.CLASSES];
            long index = 0;
            for (int e = 0; e <= epochs; e++) {
                long count = e < epochs ? perEpoch : test; // the last epoch is the test epoch
                if (count == 0) {
                    continue;
                }
                SampleChecksum epoch = new SampleChecksum();
                for (long i = 0; i < count; i++, index++) {
                    problem.sample(index, sample);
                    if (l == null) {
                        f.write(sample, index, SPACE);
                    } else {
                        System.arraycopy(sample, 0, x, 0, x.length);
                        System.arraycopy(sample, x.length, y, 0, y.length);
                        f.write(x, index, SPACE);
                        l.write(y, index, SPACE);
                    }
                    epoch.add(sample);
                    all.add(sample);
                }
                f.write(new float[Math.toIntExact(features.size() / Float.BYTES)], RingDataSetIterator.END_OF_EPOCH,
                        SPACE);
                if (l != null) {
                    l.write(new float[y.length], RingDataSetIterator.END_OF_EPOCH, SPACE);
                }
                System.out.println((e < epochs ? "epoch " + e : "test") + ": wrote " + epoch);
            }
        }
        System.out.println("wrote " + all);
    }
}

package io.arrowshm.dl4j.examples;

import io.arrowshm.Ring;
import io.arrowshm.RingWriter;
import io.arrowshm.dl4j.RingDataSetIterator;
import java.time.Duration;

/**
 * The producer side of the training example: writes {@link SyntheticSamples} to a ring the
 * trainer created, each epoch followed by an {@link RingDataSetIterator#END_OF_EPOCH} marker, and
 * prints what it wrote. A Python producer does the same with the arrow_shm package; this one is a
 * JVM so the example runs without it.
 *
 * <pre>{@code
 * java ... SampleProducer samples 20000                   # one ring: features, then the label
 * java ... SampleProducer features 20000 --labels labels  # two rings, frame p of each is sample p
 * java ... SampleProducer samples 20000 --epochs 3 --seed 42
 * }</pre>
 *
 * Frame ids are the sample's index. It prints {@code wrote N samples, checksum X} (per epoch, then
 * in all) with {@link SampleChecksum}'s figures.
 */
public final class SampleProducer {
    private static final Duration SPACE = Duration.ofSeconds(60);

    private SampleProducer() {
    }

    public static void main(String[] args) {
        if (args.length < 2) {
            System.err.println("usage: SampleProducer <ring> <samples per epoch> [--labels <ring>] [--epochs N]"
                    + " [--seed S]");
            System.exit(2);
        }
        String ringName = args[0];
        long perEpoch = Long.parseLong(args[1]);
        String labelRing = null;
        int epochs = 1;
        long seed = 42;
        for (int i = 2; i < args.length; i++) {
            switch (args[i]) {
                case "--labels" -> labelRing = args[++i];
                case "--epochs" -> epochs = Integer.parseInt(args[++i]);
                case "--seed" -> seed = Long.parseLong(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        SyntheticSamples problem = new SyntheticSamples(seed);
        SampleChecksum all = new SampleChecksum();
        if (labelRing == null) {
            try (Ring ring = Ring.open(ringName); RingWriter writer = ring.writer(SPACE)) {
                float[] sample = new float[SyntheticSamples.WIDTH];
                for (int e = 0; e < epochs; e++) {
                    SampleChecksum epoch = new SampleChecksum();
                    for (long i = 0; i < perEpoch; i++) {
                        long index = e * perEpoch + i;
                        problem.sample(index, sample);
                        writer.write(sample, index, SPACE);
                        epoch.add(sample);
                        all.add(sample);
                    }
                    writer.write(new float[SyntheticSamples.WIDTH], RingDataSetIterator.END_OF_EPOCH, SPACE);
                    System.out.println("epoch " + e + ": wrote " + epoch);
                }
            }
        } else {
            try (Ring features = Ring.open(ringName); Ring labels = Ring.open(labelRing);
                 RingWriter f = features.writer(SPACE); RingWriter l = labels.writer(SPACE)) {
                float[] sample = new float[SyntheticSamples.WIDTH];
                float[] x = new float[SyntheticSamples.FEATURES];
                float[] y = new float[SyntheticSamples.CLASSES];
                for (int e = 0; e < epochs; e++) {
                    SampleChecksum epoch = new SampleChecksum();
                    for (long i = 0; i < perEpoch; i++) {
                        long index = e * perEpoch + i;
                        problem.sample(index, sample);
                        System.arraycopy(sample, 0, x, 0, x.length);
                        System.arraycopy(sample, x.length, y, 0, y.length);
                        f.write(x, index, SPACE);
                        l.write(y, index, SPACE);
                        epoch.add(sample);
                        all.add(sample);
                    }
                    f.write(new float[x.length], RingDataSetIterator.END_OF_EPOCH, SPACE);
                    l.write(new float[y.length], RingDataSetIterator.END_OF_EPOCH, SPACE);
                    System.out.println("epoch " + e + ": wrote " + epoch);
                }
            }
        }
        System.out.println("wrote " + all);
    }
}

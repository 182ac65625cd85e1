package io.arrowshm.dl4j.examples;

import io.arrowshm.DType;
import io.arrowshm.Ring;
import io.arrowshm.RingOptions;
import io.arrowshm.StreamExistsException;
import io.arrowshm.dl4j.RingDataSetIterator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * The trainer of the DL4J example: creates the sample ring (or two rings: features and labels),
 * attaches its cursor before any sample is written, trains {@link SmallNetwork} on every sample a
 * producer process (dl4j/src/test/python/sample_producer.py with arrow_shm, or
 * {@link SampleProducer}) writes, epoch by epoch, prints the samples it consumed and their
 * checksum, then reads the producer's test epoch and prints the accuracy on it.
 *
 * <pre>{@code
 * java ... RingTraining samples                       # then, in another process: sample_producer.py samples 20000
 * java ... RingTraining features --labels labels --epochs 2 --batch 64 --zero-copy
 * }</pre>
 *
 * It prints {@code ready} once the cursor is attached, then per epoch
 * {@code epoch E: trained on N samples, checksum X}, then
 * {@code test: N samples, checksum X, accuracy A (bar B), ...}; it exits 1 when the accuracy is
 * below {@link SmallNetwork#ACCURACY_BAR}. Rings it created are removed at the end.
 */
public final class RingTraining {
    private RingTraining() {
    }

    public static void main(String[] args) {
        if (args.length < 1) {
            System.err.println("usage: RingTraining <ring> [--labels <ring>] [--epochs N] [--batch K] [--zero-copy]"
                    + " [--capacity C] [--seed S]");
            System.exit(2);
        }
        String samplesName = args[0];
        String labelsName = null;
        int epochs = 1;
        int batch = 64;
        boolean zeroCopy = false;
        long capacity = 1024;
        long seed = 42;
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--labels" -> labelsName = args[++i];
                case "--epochs" -> epochs = Integer.parseInt(args[++i]);
                case "--batch" -> batch = Integer.parseInt(args[++i]);
                case "--zero-copy" -> zeroCopy = true;
                case "--capacity" -> capacity = Long.parseLong(args[++i]);
                case "--seed" -> seed = Long.parseLong(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        boolean split = labelsName == null;
        long[] sampleShape = {split ? SyntheticSamples.WIDTH : SyntheticSamples.FEATURES};
        double accuracy;
        List<String> created = new ArrayList<>();
        try (Ring samples = createOrOpen(samplesName, RingOptions.of(DType.FLOAT32, sampleShape).capacity(capacity),
                     created);
             Ring labels = split ? null : createOrOpen(labelsName,
                     RingOptions.of(DType.FLOAT32, SyntheticSamples.CLASSES).capacity(capacity), created);
             RingDataSetIterator ring = (split ? RingDataSetIterator.builder(samples)
                     .labelColumns(SyntheticSamples.CLASSES) : RingDataSetIterator.builder(samples, labels))
                     .batchSize(batch)
                     .cursor("trainer")
                     .zeroCopy(zeroCopy)
                     .idleTimeout(Duration.ofSeconds(120))
                     .build()) {
            System.out.println("ready");
            MultiLayerNetwork network = SmallNetwork.create(seed);
            for (int e = 0; e < epochs; e++) {
                ChecksumIterator counted = new ChecksumIterator(ring);
                network.fit(counted); // resets the exhausted iterator first: the next epoch-of-stream
                System.out.println("epoch " + e + ": trained on " + counted.checksum());
            }
            ChecksumIterator test = new ChecksumIterator(ring);
            accuracy = SmallNetwork.accuracy(network, test);
            System.out.println(String.format(Locale.ROOT, "test: %s, accuracy %.4f (bar %.2f); %d of %d batches"
                    + " zero-copy", test.checksum(), accuracy, SmallNetwork.ACCURACY_BAR, ring.zeroCopyBatches(),
                    ring.zeroCopyBatches() + ring.copiedBatches()));
        } finally {
            created.forEach(Ring::unlink);
        }
        if (accuracy < SmallNetwork.ACCURACY_BAR) {
            System.exit(1);
        }
    }

    private static Ring createOrOpen(String name, RingOptions options, List<String> created) {
        try {
            Ring ring = Ring.create(name, options);
            created.add(name);
            return ring;
        } catch (StreamExistsException e) {
            return Ring.open(name);
        }
    }
}

package io.arrowshm.dl4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.DType;
import io.arrowshm.Ring;
import io.arrowshm.RingOptions;
import io.arrowshm.dl4j.examples.ChecksumIterator;
import io.arrowshm.dl4j.examples.SmallNetwork;
import io.arrowshm.dl4j.examples.SyntheticSamples;
import io.arrowshm.testing.Names;
import io.arrowshm.testing.PeerProcess;
import java.time.Duration;
import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Python producer → ring → iterator → {@code fit}: a Python process (arrow_shm) writes 20,000
 * samples of the separable problem and an end marker, then a 2000-sample test epoch; this JVM
 * trains on the first epoch, and the samples the network got are exactly those written (count and
 * order-dependent checksum, computed in both languages), then classifies the test epoch above
 * {@link SmallNetwork#ACCURACY_BAR}. For both layouts (one ring split into features and label, two
 * paired rings), copied and zero-copy.
 */
class TrainingFromRingTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(180);
    private static final int SAMPLES = 20_000;
    private final String samples = Names.unique("dl4j-samples");
    private final String labels = Names.unique("dl4j-labels");

    @AfterEach
    void removeRings() {
        Ring.unlink(samples);
        Ring.unlink(labels);
    }

    @ParameterizedTest(name = "{0} rings, zero-copy {1}")
    @CsvSource({"1, false", "1, true", "2, false", "2, true"})
    void theNetworkTrainsOnEverySampleWrittenOnceAndLearnsTheProblem(int rings, boolean zeroCopy) {
        boolean split = rings == 1;
        try (Ring features = Ring.create(samples, RingOptions.of(DType.FLOAT32,
                     split ? SyntheticSamples.WIDTH : SyntheticSamples.FEATURES).capacity(512));
             Ring labelRing = split ? null : Ring.create(labels, RingOptions.of(DType.FLOAT32, SyntheticSamples.CLASSES)
                     .capacity(512));
             RingDataSetIterator iterator = (split
                     ? RingDataSetIterator.builder(features).labelColumns(SyntheticSamples.CLASSES)
                     : RingDataSetIterator.builder(features, labelRing))
                     .batchSize(64).cursor("trainer").zeroCopy(zeroCopy).idleTimeout(TIMEOUT).build();
             PeerProcess producer = split
                     ? PeerProcess.python("sample_producer.py", samples, Integer.toString(SAMPLES))
                     : PeerProcess.python("sample_producer.py", samples, Integer.toString(SAMPLES), "--labels", labels)) {
            MultiLayerNetwork network = SmallNetwork.create(7);
            ChecksumIterator counted = new ChecksumIterator(iterator);
            network.fit(counted);
            assertEquals(SAMPLES, iterator.samplesDelivered());
            assertEquals(SAMPLES + 1, iterator.position(), "the cursor is past every sample and the end marker");
            ChecksumIterator test = new ChecksumIterator(iterator);
            double accuracy = SmallNetwork.accuracy(network, test);

            List<String> wrote = producer.finish(TIMEOUT);
            assertEquals(List.of("epoch 0: wrote " + counted.checksum(), "test: wrote " + test.checksum()),
                    wrote.subList(0, 2), "the network must get every sample written, once, in order");
            assertEquals(SAMPLES, counted.checksum().count());
            assertEquals(2000, test.checksum().count());
            assertEquals(SAMPLES + 1 + 2000 + 1, iterator.position(), "past the test epoch and its marker too");
            if (zeroCopy) {
                assertTrue(iterator.zeroCopyBatches() > 0, "no batch was zero-copy");
            } else {
                assertEquals(0, iterator.zeroCopyBatches());
            }
            System.out.printf("[dl4j] %d ring(s), zero-copy %s: %d samples, %d zero-copy and %d copied batches,"
                    + " accuracy %.4f%n", rings, zeroCopy, SAMPLES, iterator.zeroCopyBatches(), iterator.copiedBatches(),
                    accuracy);
            assertTrue(accuracy > SmallNetwork.ACCURACY_BAR, "accuracy " + accuracy + " is not above the bar "
                    + SmallNetwork.ACCURACY_BAR);
        }
    }
}

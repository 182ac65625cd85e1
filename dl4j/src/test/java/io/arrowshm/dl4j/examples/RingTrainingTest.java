package io.arrowshm.dl4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.Ring;
import io.arrowshm.testing.Names;
import io.arrowshm.testing.PeerProcess;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The example as dl4j/example.sh runs it, two processes: the RingTraining main creates the ring
 * and its cursor, then the SampleProducer main writes two epochs; each epoch's count and checksum
 * the trainer reports equal the producer's, the trainer's accuracy clears the bar (it exits 1
 * otherwise), and it removes the ring it created.
 */
class RingTrainingTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(300);
    private final String ring = Names.unique("dl4j-example");

    @AfterEach
    void removeRing() {
        Ring.unlink(ring);
    }

    @ParameterizedTest(name = "zero-copy {0}")
    @ValueSource(booleans = {false, true})
    void theTrainerConsumesExactlyWhatTheProducerWroteAndLearns(boolean zeroCopy) {
        Map<String, String> oneThread = Map.of("OMP_NUM_THREADS", "1");
        try (PeerProcess trainer = zeroCopy
                ? PeerProcess.java(oneThread, RingTraining.class, ring, "--epochs", "2", "--zero-copy")
                : PeerProcess.java(oneThread, RingTraining.class, ring, "--epochs", "2")) {
            trainer.await("ready", TIMEOUT);
            List<String> wrote;
            try (PeerProcess producer = PeerProcess.java(SampleProducer.class, ring, "10000", "--epochs", "2")) {
                wrote = producer.finish(TIMEOUT);
            }
            List<String> trained = trainer.finish(TIMEOUT);
            assertEquals(3, wrote.size(), "the producer said " + wrote);
            assertEquals(3, trained.size(), "the trainer said " + trained);
            for (int e = 0; e < 2; e++) {
                assertEquals(wrote.get(e).replace("wrote", "trained on"), trained.get(e), "epoch " + e);
            }
            assertTrue(trained.get(0).startsWith("epoch 0: trained on 10000 samples, checksum "), trained.get(0));
            assertTrue(trained.get(2).startsWith("accuracy "), trained.get(2));
            double accuracy = Double.parseDouble(trained.get(2).split(" ")[1]);
            assertTrue(accuracy > SmallNetwork.ACCURACY_BAR, trained.get(2));
            assertTrue(zeroCopy != trained.get(2).endsWith(" 0 of 314 batches zero-copy"), trained.get(2));
        }
        assertTrue(!Ring.list().contains(ring), "the trainer removes the ring it created");
    }
}

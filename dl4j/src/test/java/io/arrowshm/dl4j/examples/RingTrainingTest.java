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
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The example as dl4j/example.sh runs it, two processes: the RingTraining main creates the ring
 * and its cursor, then the Python producer (sample_producer.py, arrow_shm) writes two epochs and a
 * test epoch; each epoch's count and checksum the trainer reports equal the producer's, the
 * trainer's accuracy on the test epoch clears the bar (it exits 1 otherwise), and it removes the
 * ring it created. The JVM producer (SampleProducer) is run the same way once.
 */
class RingTrainingTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(300);
    private final String ring = Names.unique("dl4j-example");

    @AfterEach
    void removeRing() {
        Ring.unlink(ring);
    }

    @ParameterizedTest(name = "{0} producer, zero-copy {1}")
    @CsvSource({"python, false", "python, true", "java, false"})
    void theTrainerConsumesExactlyWhatTheProducerWroteAndLearns(String language, boolean zeroCopy) {
        Map<String, String> oneThread = Map.of("OMP_NUM_THREADS", "1");
        try (PeerProcess trainer = zeroCopy
                ? PeerProcess.java(oneThread, RingTraining.class, ring, "--epochs", "2", "--zero-copy")
                : PeerProcess.java(oneThread, RingTraining.class, ring, "--epochs", "2")) {
            trainer.await("ready", TIMEOUT);
            List<String> wrote;
            try (PeerProcess producer = language.equals("python")
                    ? PeerProcess.python("sample_producer.py", ring, "10000", "--epochs", "2")
                    : PeerProcess.java(SampleProducer.class, ring, "10000", "--epochs", "2")) {
                wrote = producer.finish(TIMEOUT);
            }
            List<String> trained = trainer.finish(TIMEOUT);
            assertEquals(4, wrote.size(), "the producer said " + wrote);
            assertEquals(3, trained.size(), "the trainer said " + trained);
            for (int e = 0; e < 2; e++) {
                assertEquals(wrote.get(e).replace("wrote", "trained on"), trained.get(e), "epoch " + e);
            }
            assertTrue(trained.get(0).startsWith("epoch 0: trained on 10000 samples, checksum "), trained.get(0));
            String test = wrote.get(2).substring("test: wrote ".length());
            assertTrue(trained.get(2).startsWith("test: " + test + ", accuracy "), trained.get(2) + " after " + wrote);
            double accuracy = Double.parseDouble(trained.get(2).split("accuracy ")[1].split(" ")[0]);
            assertTrue(accuracy > SmallNetwork.ACCURACY_BAR, trained.get(2));
            assertTrue(zeroCopy != trained.get(2).endsWith(" 0 of 346 batches zero-copy"), trained.get(2));
        }
        assertTrue(!Ring.list().contains(ring), "the trainer removes the ring it created");
    }
}

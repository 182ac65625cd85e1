package io.arrowshm.dl4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.DType;
import io.arrowshm.Ring;
import io.arrowshm.RingOptions;
import io.arrowshm.RingWriter;
import io.arrowshm.testing.Names;
import io.arrowshm.testing.PeerProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A trainer process that dies right after it was handed a batch, and one restarted under the
 * same cursor: the second goes on exactly where the documentation says, and together they see
 * every sample. Copied batches: the cursor was already past the dead trainer's last batch, so
 * the next one starts right after it. Zero-copy batches: the last batch was still leased (the
 * network was reading the ring's slots), so it is handed out again, whole, and nothing else is.
 */
class CrashRestartTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final int SAMPLES = 1000;
    private static final int BATCH = 16;

    @ParameterizedTest(name = "zero-copy {0}")
    @ValueSource(booleans = {false, true})
    void aRestartedTrainerGoesOnWhereTheDeadOneStopped(boolean zeroCopy) throws Exception {
        String name = Names.unique("dl4j-crash");
        try (Ring ring = Ring.create(name, RingOptions.of(DType.FLOAT32, 2).capacity(64));
             RingWriter writer = ring.writer()) {
            List<String> first;
            try (PeerProcess trainer = PeerProcess.java(CrashingTrainer.class, name, Integer.toString(BATCH), "5",
                    Boolean.toString(zeroCopy))) {
                trainer.await("ready 0", TIMEOUT); // the cursor holds the writer back from here on
                AtomicReference<Throwable> failed = new AtomicReference<>();
                Thread producer = new Thread(() -> {
                    try {
                        for (int i = 0; i < SAMPLES; i++) {
                            writer.write(new float[] {i, 0}, i, TIMEOUT);
                        }
                        writer.write(new float[2], RingDataSetIterator.END_OF_EPOCH, TIMEOUT);
                    } catch (Throwable t) {
                        failed.set(t);
                    }
                }, "producer");
                producer.start();
                first = lines(trainer);
                assertEquals(3, trainer.waitFor(TIMEOUT), "the first trainer should have halted itself");
                List<String> second;
                try (PeerProcess restarted = PeerProcess.java(CrashingTrainer.class, name, Integer.toString(BATCH), "0",
                        Boolean.toString(zeroCopy))) {
                    second = restarted.finish(TIMEOUT);
                }
                producer.join(TIMEOUT.toMillis());
                if (failed.get() != null) {
                    throw new AssertionError("the producer failed", failed.get());
                }
                assertEquals(List.of("batch 0 15", "batch 16 31", "batch 32 47", "batch 48 63", "batch 64 79"), first);
                long resumed = zeroCopy ? 64 : 80;
                assertEquals("ready " + resumed, second.get(0), "where the restarted trainer's cursor stands");
                assertEquals("batch " + resumed + " " + (resumed + BATCH - 1), second.get(1));
                long lastStart = resumed + (SAMPLES - resumed - 1) / BATCH * BATCH;
                assertEquals("batch " + lastStart + " " + (SAMPLES - 1), second.get(second.size() - 2));
                assertEquals("end " + (SAMPLES - resumed), second.get(second.size() - 1),
                        "every sample after the resumed position once, none skipped");
            }
        } finally {
            Ring.unlink(name);
        }
    }

    /** Every line the process prints until it exits. */
    private static List<String> lines(PeerProcess peer) {
        List<String> out = new ArrayList<>();
        try {
            while (true) {
                out.add(peer.nextLine(TIMEOUT));
            }
        } catch (AssertionError exited) {
            return out; // nextLine fails once the process has exited
        }
    }
}

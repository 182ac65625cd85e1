package io.arrowshm.dl4j;

import io.arrowshm.CursorOptions;
import io.arrowshm.Ring;
import java.time.Duration;
import org.nd4j.linalg.dataset.DataSet;

/**
 * A trainer in a child JVM that dies on purpose: it takes batches of a ring whose sample
 * {@code i} is {@code (i, 0)} through the cursor "trainer" (60 s grace), prints
 * {@code batch FIRST LAST} for each, and after {@code BATCHES} batches halts the JVM at once
 * (no finally block, no close: the kernel drops its locks, as for a crash).
 *
 * <pre>{@code java ... CrashingTrainer RING BATCH BATCHES ZERO_COPY}</pre>
 * With {@code BATCHES} 0 it reads to the end marker and prints {@code end} instead.
 */
public final class CrashingTrainer {
    private CrashingTrainer() {
    }

    public static void main(String[] args) {
        int batch = Integer.parseInt(args[1]);
        int batches = Integer.parseInt(args[2]);
        try (Ring ring = Ring.open(args[0]);
             RingDataSetIterator it = RingDataSetIterator.builder(ring).labelColumns(1).batchSize(batch)
                     .zeroCopy(Boolean.parseBoolean(args[3])).cursor("trainer")
                     .cursorOptions(CursorOptions.defaults().grace(Duration.ofSeconds(60))).build()) {
            System.out.println("ready " + it.position());
            for (int b = 0; it.hasNext(); b++) {
                DataSet next = it.next();
                long rows = next.numExamples();
                System.out.println("batch " + (long) next.getFeatures().getFloat(0, 0) + " "
                        + (long) next.getFeatures().getFloat(rows - 1, 0));
                if (batches > 0 && b == batches - 1) {
                    System.out.flush();
                    Runtime.getRuntime().halt(3); // the batch was handed out, and its process dies with it
                }
            }
            System.out.println("end " + it.samplesDelivered());
        }
    }
}

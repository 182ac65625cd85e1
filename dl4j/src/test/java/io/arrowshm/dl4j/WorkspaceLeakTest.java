package io.arrowshm.dl4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.DType;
import io.arrowshm.Ring;
import io.arrowshm.RingOptions;
import io.arrowshm.dl4j.examples.SampleProducer;
import io.arrowshm.dl4j.examples.SmallNetwork;
import io.arrowshm.dl4j.examples.SyntheticSamples;
import io.arrowshm.testing.Names;
import io.arrowshm.testing.PeerProcess;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.Pointer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * No ND4J memory grows across 100 batches of training from a ring: the training thread's
 * workspaces keep their number and sizes between batch 20 and batch 120, so does ND4J's count of
 * allocated memory ({@code MemoryManager.allocatedMemory}: JavaCPP's total and ND4J's tracked
 * workspace and general allocations, after a collection), batch 20's features array is garbage
 * by batch 120 (nothing holds on to old batches), no workspace is left open, and once the
 * iterator, the ring and the batches are gone, the ring is no longer mapped (the zero-copy arrays
 * gave their references back).
 */
class WorkspaceLeakTest {
    private static final int BATCH = 64;
    private static final int FIRST = 20;
    private static final int LAST = 120;

    @ParameterizedTest(name = "zero-copy {0}")
    @ValueSource(booleans = {false, true})
    void nothingGrowsAcrossAHundredBatches(boolean zeroCopy) throws Exception {
        String name = Names.unique("dl4j-leak");
        int samples = BATCH * (LAST + 10);
        Snapshot[] at = new Snapshot[2];
        List<WeakReference<INDArray>> early = new ArrayList<>();
        try (Ring ring = Ring.create(name, RingOptions.of(DType.FLOAT32, SyntheticSamples.WIDTH).capacity(512));
             RingDataSetIterator iterator = RingDataSetIterator.builder(ring).labelColumns(SyntheticSamples.CLASSES)
                     .batchSize(BATCH).zeroCopy(zeroCopy).build();
             PeerProcess producer = PeerProcess.java(SampleProducer.class, name, Integer.toString(samples),
                     "--test", "0")) {
            MultiLayerNetwork network = SmallNetwork.create(3);
            network.setListeners(new BaseTrainingListener() {
                @Override
                public void iterationDone(Model model, int iteration, int epoch) {
                    if (iteration == FIRST) {
                        early.add(new WeakReference<>(((MultiLayerNetwork) model).getInput()));
                        at[0] = Snapshot.take(early);
                    } else if (iteration == LAST) {
                        at[1] = Snapshot.take(early);
                    }
                }
            });
            network.fit(iterator);
            producer.finish(Duration.ofSeconds(120));
            assertEquals(samples, iterator.samplesDelivered());
            assertFalse(Nd4j.getWorkspaceManager().anyWorkspaceActiveForCurrentThread(), "fit left a workspace open");
        } finally {
            Ring.unlink(name);
        }
        System.out.printf("[dl4j leak] zero-copy %s: batch %d %s, batch %d %s%n", zeroCopy, FIRST, at[0], LAST, at[1]);
        assertEquals(at[0].workspaces, at[1].workspaces, "workspaces changed between batch " + FIRST + " and " + LAST);
        long oneBatch = (long) BATCH * SyntheticSamples.WIDTH * Float.BYTES;
        assertTrue(at[1].allocated - at[0].allocated <= oneBatch, "ND4J's allocated memory grew by "
                + (at[1].allocated - at[0].allocated) + " bytes over " + (LAST - FIRST) + " batches (one batch is "
                + oneBatch + ")");
        assertTrue(at[1].firstBatchCollected, "batch " + FIRST + "'s features were still reachable at batch " + LAST);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (RingDataSetIteratorTest.mapsRing(name)) {
            assertTrue(System.nanoTime() < deadline, "ring '" + name + "' still mapped 30 s after everything was closed");
            collect();
        }
    }

    private static void collect() throws InterruptedException {
        System.gc();
        Thread.sleep(50); // cleaners and JavaCPP's deallocator run
        Pointer.deallocateReferences();
    }

    /** The training thread's workspaces (id and size), ND4J's allocated memory, and whether batch 20 is gone. */
    private record Snapshot(List<String> workspaces, long allocated, boolean firstBatchCollected) {
        static Snapshot take(List<WeakReference<INDArray>> early) {
            List<String> workspaces = new ArrayList<>();
            for (MemoryWorkspace ws : Nd4j.getWorkspaceManager().getAllWorkspacesForCurrentThread()) {
                workspaces.add(ws.getId() + "=" + ws.getCurrentSize());
            }
            workspaces.sort(null);
            try {
                collect();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new Snapshot(workspaces, Nd4j.getMemoryManager().allocatedMemory(0),
                    !early.isEmpty() && early.get(0).get() == null);
        }
    }
}

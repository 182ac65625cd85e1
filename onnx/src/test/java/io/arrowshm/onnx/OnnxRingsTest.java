package io.arrowshm.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.arrowshm.DType;
import io.arrowshm.Ring;
import io.arrowshm.RingBatch;
import io.arrowshm.RingFrame;
import io.arrowshm.RingLease;
import io.arrowshm.RingOptions;
import io.arrowshm.RingReader;
import io.arrowshm.RingWriter;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * ONNX Runtime tensors over ring slots: the tensor's buffer is the slot (address), a batch is one
 * tensor with a leading axis whose run equals per-frame runs bit for bit, closing the tensor
 * moves the cursor, and closed or foreign leases are refused clearly.
 */
class OnnxRingsTest {
    private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();
    private static final Duration SECOND = Duration.ofSeconds(1);
    private final TestRings rings = new TestRings("onnx-rings");

    @AfterEach
    void cleanUp() {
        rings.removeAll();
    }

    @Test
    void aTensorOverALeaseIsTheSlotAndClosingItMovesTheCursor() throws Exception {
        Ring ring = rings.create(RingOptions.of(DType.FLOAT32, 4, 8).capacity(4));
        try (OrtSession session = Models.session("double", DType.FLOAT32, 4, 8);
             RingWriter writer = ring.writer();
             RingReader reader = ring.reader("onnx")) {
            OnnxRunner runner = OnnxRunner.of(session);
            writer.write(ExactFrames.frame(0, 32), 5L);
            RingLease lease = reader.lease(SECOND);
            try (LeasedTensor x = OnnxRings.tensor(ENV, ring, lease)) {
                assertEquals(lease.buffer().memoryAddress(), x.address(), "ONNX Runtime copied the slot");
                assertEquals(x.memoryAddress(), x.address());
                assertArrayEquals(new long[] {4, 8}, x.shape());
                assertFalse(x.outputAllowed(), "other cursors read the same slot: the tensor must be input-only");
                float[][] out = LeasedTensorTest.values2d(runner.run(Map.of("frame", x)));
                for (int r = 0; r < 4; r++) {
                    for (int c = 0; c < 8; c++) {
                        assertEquals(2 * ExactFrames.value(0, r * 8 + c), out[r][c]);
                    }
                }
                assertEquals(0, reader.position(), "the lease holds the frame while the tensor is open");
            }
            assertEquals(1, reader.position(), "closing the tensor closes the lease");
            IllegalStateException e = assertThrows(IllegalStateException.class, lease::buffer);
            assertTrue(e.getMessage().contains("closed lease"), e.getMessage());
        }
    }

    @Test
    void aBatchIsOneTensorWithALeadingAxisAndItsRunEqualsRunsOnEachFrame() throws Exception {
        Ring ring = rings.create(RingOptions.of(DType.FLOAT32, 64).capacity(8));
        try (OrtSession session = Models.session("mlp", DType.FLOAT32, -1, 64);
             RingWriter writer = ring.writer();
             RingReader reader = ring.reader("onnx")) {
            OnnxRunner runner = OnnxRunner.of(session);
            for (int p = 0; p < 5; p++) {
                writer.write(ExactFrames.frame(p, 64));
            }
            RingBatch batch = reader.leaseBatch(8, SECOND);
            float[][] together;
            try (LeasedTensor x = OnnxRings.tensor(ENV, ring, batch)) {
                assertEquals(batch.buffer().memoryAddress(), x.address());
                assertArrayEquals(new long[] {5, 64}, x.shape());
                together = LeasedTensorTest.values2d(runner.run(Map.of("frame", x)));
            }
            assertEquals(5, reader.position());
            for (int p = 0; p < 5; p++) {
                try (OnnxTensor one = OnnxTensor.createTensor(ENV, new float[][] {ExactFrames.frame(p, 64)})) {
                    float[][] alone = (float[][]) session.run(Map.of("frame", one)).get(0).getValue();
                    assertArrayEquals(alone[0], together[p], "frame " + p);
                }
            }
        }
    }

    @Test
    void closedAndForeignLeasesAreRefusedAndTheTensorIsNeverAnOutput() throws Exception {
        Ring ring = rings.create(RingOptions.of(DType.FLOAT32, 4, 8).capacity(4));
        Ring other = rings.create(RingOptions.of(DType.FLOAT32, 4, 9).capacity(4));
        try (OrtSession session = Models.session("double", DType.FLOAT32, 4, 8);
             RingWriter writer = ring.writer();
             RingReader reader = ring.reader("onnx")) {
            writer.write(new float[32]);
            writer.write(new float[32]);
            IllegalArgumentException foreign = assertThrows(IllegalArgumentException.class,
                    () -> OnnxRings.tensor(ENV, other, reader.lease(SECOND)));
            assertTrue(foreign.getMessage().contains("pass the ring it was leased from"), foreign.getMessage());
            assertEquals(1, reader.position(), "a refused lease is given back (it was the caller's to close)");

            RingLease closed = reader.lease(SECOND);
            closed.close();
            assertThrows(IllegalStateException.class, () -> OnnxRings.tensor(ENV, ring, closed));

            writer.write(new float[32]);
            try (LeasedTensor x = OnnxRings.tensor(ENV, ring, reader.lease(SECOND));
                 LeasedTensor y = OnnxRings.tensor(ENV, ring, ring.reader("second").lease(SECOND))) {
                IllegalArgumentException output = assertThrows(IllegalArgumentException.class,
                        () -> OnnxRunner.of(session).runInto(Map.of("frame", x), Map.of("out", y)));
                assertTrue(output.getMessage().contains("input-only"), output.getMessage());
            }
        }
    }

    @Test
    void writePutsAModelOutputIntoTheRingAndRefusesOneOfAnotherShape() throws Exception {
        Ring frames = rings.create(RingOptions.of(DType.FLOAT32, 4, 8).capacity(4));
        Ring doubled = rings.create(RingOptions.of(DType.FLOAT32, 4, 8).capacity(4));
        Ring narrow = rings.create(RingOptions.of(DType.FLOAT32, 4, 7).capacity(4));
        try (OrtSession session = Models.session("double", DType.FLOAT32, 4, 8);
             RingWriter in = frames.writer();
             RingReader reader = frames.reader("onnx");
             RingWriter out = doubled.writer();
             RingWriter wrong = narrow.writer();
             RingReader results = doubled.reader("check")) {
            in.write(ExactFrames.frame(3, 32));
            try (LeasedTensor x = OnnxRings.tensor(ENV, frames, reader.lease(SECOND));
                 OrtSession.Result r = OnnxRunner.of(session).run(Map.of("frame", x))) {
                OnnxRings.write(out, r.get(0), 42L, SECOND);
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> OnnxRings.write(wrong, r.get(0), 1L, SECOND));
                assertTrue(e.getMessage().contains("ring '" + narrow.name() + "'"), e.getMessage());
            }
            try (RingFrame f = results.take(SECOND)) {
                assertEquals(42L, f.frameId());
                for (int i = 0; i < 32; i++) {
                    assertEquals(2 * ExactFrames.value(3, i), f.buffer().getFloat(4L * i));
                }
            }
            assertEquals(0, narrow.writePosition(), "a refused output must not be written");
        }
    }
}

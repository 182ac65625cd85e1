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
import io.arrowshm.SharedMemory;
import io.arrowshm.testing.Names;
import io.arrowshm.testing.Patterns;
import io.arrowshm.testing.PeerProcess;
import java.nio.ByteBuffer;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.ReferenceManager;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a tensor over leased memory is: the memory itself (ONNX Runtime's buffer has the mapping's
 * address, and a frame written after the tensor was made is what the next run sees), typed as the
 * stream is, and refused clearly once its lease ended.
 */
class LeasedTensorTest {
    private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();
    private final TestStreams streams = new TestStreams("onnx");
    private final BufferAllocator allocator = new RootAllocator();

    @AfterEach
    void cleanUp() {
        streams.removeAll();
        assertEquals(0, allocator.getAllocatedMemory(), "a lease did not give its buffer back");
        allocator.close();
    }

    @Test
    void onnxRuntimesBufferIsTheStreamsMapping() {
        SharedMemory shm = streams.create(DType.FLOAT32, 64, 64);
        long mapping;
        try (ArrowBuf view = shm.buffer()) {
            mapping = view.memoryAddress();
        }
        try (LeasedTensor x = OnnxStreams.tensor(ENV, shm)) {
            assertEquals(mapping, x.address(), "ONNX Runtime's buffer is not the mapping: the data was copied");
            assertEquals(mapping, x.memoryAddress());
            assertEquals(DType.FLOAT32, x.dtype());
            assertArrayEquals(new long[] {64, 64}, x.shape());
            assertFalse(x.outputAllowed(), "a tensor over a stream being read must be input-only");
        }
        long seen = OnnxStreams.readZeroCopy(ENV, shm, LeasedTensor::address);
        assertEquals(mapping, seen, "the readZeroCopy tensor is not over the mapping");
    }

    @Test
    void aFrameWrittenAfterTheTensorWasMadeIsWhatTheNextRunSees() throws Exception {
        SharedMemory shm = streams.create(DType.FLOAT32, 4, 8);
        try (OrtSession session = Models.session("double", DType.FLOAT32, 4, 8);
             LeasedTensor x = OnnxStreams.tensor(ENV, shm)) {
            OnnxRunner runner = OnnxRunner.of(session);
            for (float k : new float[] {1.5f, -3f, 1e6f}) {
                float[] frame = new float[32];
                java.util.Arrays.fill(frame, k);
                shm.write(frame); // the same tensor, new bytes under it
                float[][] out = OnnxStreams.readZeroCopy(shm, x, t -> values2d(runner.run(Map.of("frame", t))));
                for (float[] row : out) {
                    for (float v : row) {
                        assertEquals(2 * k, v);
                    }
                }
            }
        }
    }

    @Test
    void framesAPythonProcessWritesAreWhatTheSameTensorSees() throws Exception {
        SharedMemory shm = streams.create(DType.FLOAT32, 64, 64);
        try (OrtSession session = Models.session("double", DType.FLOAT32, 64, 64);
             LeasedTensor x = OnnxStreams.tensor(ENV, shm)) {
            OnnxRunner runner = OnnxRunner.of(session);
            for (int seed = 1; seed <= 3; seed++) {
                try (PeerProcess python = PeerProcess.python("onnx_peer.py", "write", shm.name(), Integer.toString(seed))) {
                    assertEquals(List.of("written"), python.finish(java.time.Duration.ofSeconds(60)));
                }
                float[] written = new float[64 * 64];
                shm.readInto(written);
                assertEquals(seed, shm.frameId());
                float[][] out = OnnxStreams.readZeroCopy(shm, x, t -> values2d(runner.run(Map.of("frame", t))));
                for (int i = 0; i < written.length; i++) {
                    assertEquals(2 * written[i], out[i / 64][i % 64], "element " + i + " of Python's frame " + seed);
                }
            }
        }
    }

    @Test
    void zeroCopyRunsGiveOnnxRuntimesOwnResultBitForBit() throws Exception {
        SharedMemory shm = streams.create(DType.FLOAT32, 64, 64);
        float[][] frame = new float[64][64];
        float[] flat = new float[64 * 64];
        java.util.Random random = new java.util.Random(25);
        for (int i = 0; i < flat.length; i++) {
            flat[i] = (float) random.nextGaussian();
            frame[i / 64][i % 64] = flat[i];
        }
        shm.write(flat);
        try (OrtSession session = Models.session("mlp", DType.FLOAT32, 64, 64);
             OnnxTensor copied = OnnxTensor.createTensor(ENV, frame)) {
            OnnxRunner runner = OnnxRunner.of(session);
            float[][] reference = values2d(session.run(Map.of("frame", copied)));
            float[][] zeroCopy = OnnxStreams.readZeroCopy(ENV, shm, x -> values2d(runner.run(Map.of("frame", x))));
            assertEquals(64, zeroCopy.length);
            for (int r = 0; r < 64; r++) {
                assertArrayEquals(reference[r], zeroCopy[r], 0f, "row " + r);
            }
        }
    }

    @Test
    void everyDtypeOnnxRuntimeHasIsWrappedAsItsOwnType() throws Exception {
        EnumSet<DType> wrapped = EnumSet.of(DType.INT8, DType.INT16, DType.INT32, DType.INT64, DType.UINT8,
                DType.FLOAT16, DType.FLOAT32, DType.FLOAT64, DType.BOOL);
        for (DType dtype : wrapped) {
            SharedMemory shm = streams.create(dtype, 3, 5);
            byte[] bytes = Patterns.bytes(dtype, shm.size(), dtype.code()); // NaN payloads, -0.0, subnormals too
            shm.write(ByteBuffer.wrap(bytes));
            try (OrtSession session = Models.session("identity", dtype, 3, 5)) {
                OnnxRunner runner = OnnxRunner.of(session);
                byte[] out = OnnxStreams.readZeroCopy(ENV, shm, x -> {
                    try (OrtSession.Result r = runner.run(Map.of("frame", x))) {
                        ByteBuffer b = ((OnnxTensor) r.get(0)).getByteBuffer();
                        byte[] copy = new byte[b.remaining()];
                        b.get(copy);
                        return copy;
                    }
                });
                assertArrayEquals(bytes, out, dtype + ": the model saw other bytes than the stream holds");
            }
        }
        for (DType dtype : EnumSet.complementOf(wrapped)) {
            SharedMemory shm = streams.create(dtype, 4);
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> OnnxStreams.tensor(ENV, shm));
            assertTrue(e.getMessage().startsWith("stream '" + shm.name() + "' holds " + dtype.numpyName()),
                    e.getMessage());
        }
    }

    @Test
    void aClosedTensorRefusesEveryRunWithAClearError() throws Exception {
        SharedMemory shm = streams.create(DType.FLOAT32, 4, 8);
        shm.write(new float[32]);
        try (OrtSession session = Models.session("double", DType.FLOAT32, 4, 8)) {
            OnnxRunner runner = OnnxRunner.of(session);
            LeasedTensor x = OnnxStreams.tensor(ENV, shm);
            x.close();
            x.close(); // harmless
            assertFalse(x.isOpen());
            assertTrue(x.toString().endsWith("closed]"), x.toString());
            IllegalStateException run = assertThrows(IllegalStateException.class, () -> runner.run(Map.of("frame", x)));
            assertTrue(run.getMessage().contains("closed tensor over stream '" + shm.name() + "'"), run.getMessage());
            try (LeasedTensor y = LeasedTensor.over(ENV, MemoryLease.of(allocator.buffer(128), "a test buffer"),
                    DType.FLOAT32, 4, 8)) {
                assertThrows(IllegalStateException.class, () -> runner.runInto(Map.of("frame", x), Map.of("out", y)));
                try (LeasedTensor fresh = OnnxStreams.tensor(ENV, shm)) {
                    runner.runInto(Map.of("frame", fresh), Map.of("out", y)); // y was left usable
                }
            }
        }
    }

    @Test
    void aTensorKeptPastItsReadZeroCopyCallIsRefused() throws Exception {
        SharedMemory shm = streams.create(DType.FLOAT32, 4, 8);
        shm.write(new float[32]);
        try (OrtSession session = Models.session("double", DType.FLOAT32, 4, 8)) {
            OnnxRunner runner = OnnxRunner.of(session);
            LeasedTensor[] kept = new LeasedTensor[1];
            OnnxStreams.readZeroCopy(ENV, shm, x -> {
                kept[0] = x;
                return values2d(runner.run(Map.of("frame", x))); // fine inside the call
            });
            assertFalse(kept[0].isOpen(), "the tensor outlived its readZeroCopy call");
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> runner.run(Map.of("frame", kept[0])));
            assertTrue(e.getMessage().contains("valid only until its lease ended"), e.getMessage());
        }
    }

    @Test
    void aTensorKeepsItsMappingPastTheHandlesCloseAndUnlink() throws Exception {
        SharedMemory shm = SharedMemory.create(Names.unique("onnx-outlive"), DType.FLOAT32, 4, 8);
        float[] frame = new float[32];
        java.util.Arrays.fill(frame, 21f);
        shm.write(frame);
        LeasedTensor x = OnnxStreams.tensor(ENV, shm);
        shm.unlink();
        shm.close();
        try (OrtSession session = Models.session("double", DType.FLOAT32, 4, 8); x) {
            float[][] out = values2d(OnnxRunner.of(session).run(Map.of("frame", x)));
            assertEquals(42f, out[3][7]);
        }
    }

    @Test
    void outputsAreNeverWrittenIntoAStreamBeingRead() throws Exception {
        SharedMemory shm = streams.create(DType.FLOAT32, 4, 8);
        try (OrtSession session = Models.session("double", DType.FLOAT32, 4, 8);
             LeasedTensor x = OnnxStreams.tensor(ENV, shm)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> OnnxRunner.of(session).runInto(Map.of("frame", x), Map.of("out", x)));
            assertTrue(e.getMessage().contains("input-only"), e.getMessage());
            assertTrue(x.isOpen(), "a refused run must leave the tensor usable");
        }
    }

    @Test
    void pinnedOutputsLandInTheLeasedMemory() throws Exception {
        SharedMemory shm = streams.create(DType.FLOAT32, 4, 8);
        float[] frame = new float[32];
        for (int i = 0; i < frame.length; i++) {
            frame[i] = i;
        }
        shm.write(frame);
        ArrowBuf out = allocator.buffer(128);
        try (OrtSession session = Models.session("double", DType.FLOAT32, 4, 8);
             LeasedTensor x = OnnxStreams.tensor(ENV, shm);
             LeasedTensor y = LeasedTensor.over(ENV, MemoryLease.of(out, "a private buffer"), DType.FLOAT32, 4, 8)) {
            assertEquals(out.memoryAddress(), y.address());
            OnnxStreams.readZeroCopy(shm, x, t -> {
                OnnxRunner.of(session).runInto(Map.of("frame", t), Map.of("out", y));
                return null;
            });
            for (int i = 0; i < 32; i++) {
                assertEquals(2f * i, out.getFloat(4L * i));
            }
        }
        assertEquals(0, out.refCnt(), "closing the tensor must close its lease's buffer");
    }

    @Test
    void aShapeLargerThanTheLeaseIsRefusedBeforeOnnxRuntimeSeesIt() {
        // 16 bytes as a float [16]: ONNX Runtime's own check compares 16 elements with 16 bytes,
        // accepts it, and would read 64 bytes. Our check counts bytes.
        ArrowBuf small = allocator.buffer(16);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LeasedTensor.over(ENV, MemoryLease.of(small, "a 16-byte buffer"), DType.FLOAT32, 16));
        assertTrue(e.getMessage().contains("needs 64 bytes but a 16-byte buffer holds 16"), e.getMessage());
        assertEquals(0, small.refCnt(), "a refused lease must still be closed");
        assertThrows(IllegalArgumentException.class,
                () -> LeasedTensor.over(ENV, MemoryLease.of(allocator.buffer(16), "b"), DType.FLOAT32, -1, 4));
        ArrowBuf closed = allocator.buffer(16);
        closed.close();
        assertThrows(IllegalArgumentException.class, () -> MemoryLease.of(closed, "a closed buffer"));
    }

    @Test
    void framesOverTheJavaApisLimitAreRefusedWithoutTouchingTheirMemory() {
        // 3 GiB at address 0: any read or write would crash, so only a check before use passes.
        CountingLease lease = new CountingLease(MemoryLease.of(new ArrowBuf(ReferenceManager.NO_OP, null, 3L << 30, 0),
                "a 3 GiB slot"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LeasedTensor.over(ENV, lease, DType.UINT8, 3L << 30));
        assertTrue(e.getMessage().contains("larger than the " + LeasedTensor.MAX_BYTES + " bytes"), e.getMessage());
        assertEquals(1, lease.closes());
        assertThrows(IllegalArgumentException.class,
                () -> LeasedTensor.over(ENV, lease, DType.FLOAT64, Long.MAX_VALUE / 2, 4)); // overflowing product
    }

    @Test
    void closingDuringARunReleasesOnceWhenTheRunEnds() {
        CountingLease counted = new CountingLease(MemoryLease.of(allocator.buffer(64), "a counted buffer"));
        LeasedTensor x = LeasedTensor.over(ENV, counted, DType.FLOAT32, 16);
        x.enter("run"); // a run in flight
        x.close();
        assertEquals(0, counted.closes(), "the lease ended under a running model");
        assertThrows(IllegalStateException.class, () -> x.enter("run"));
        x.exit();
        assertEquals(1, counted.closes());
        x.close();
        assertEquals(1, counted.closes());
    }

    static float[][] values2d(OrtSession.Result result) {
        try (result) {
            return (float[][]) result.get(0).getValue();
        } catch (ai.onnxruntime.OrtException e) {
            throw new IllegalStateException(e);
        }
    }
}

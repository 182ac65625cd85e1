package io.arrowshm.tensors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.DType;
import io.arrowshm.Ring;
import io.arrowshm.RingBatch;
import io.arrowshm.RingOptions;
import io.arrowshm.RingReader;
import io.arrowshm.RingWriter;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A ring batch as a k-row fixed_shape_tensor root whose value buffer is the ring's slots. */
class RingRootsTest {
    private final String name = "arrowshm-test-ringroots-" + ProcessHandle.current().pid() + "-"
            + Long.toHexString(ThreadLocalRandom.current().nextLong());

    @AfterEach
    void removeRing() {
        Ring.unlink(name);
    }

    @Test
    void aBatchIsAKRowTensorColumnOverTheSlotsThemselves() {
        try (Ring ring = Ring.create(name, RingOptions.of(DType.FLOAT32, 100, 6).capacity(8));
             RingWriter writer = ring.writer();
             RingReader reader = ring.reader("r");
             BufferAllocator allocator = new RootAllocator()) {
            for (int i = 0; i < 5; i++) {
                float[] frame = new float[600];
                java.util.Arrays.fill(frame, i);
                writer.write(frame, 100 + i);
            }
            try (RingBatch batch = reader.leaseBatch(8, Duration.ofSeconds(1));
                 VectorSchemaRoot root = RingRoots.batch(ring, batch, allocator)) {
                assertEquals(5, root.getRowCount());
                FixedShapeTensorVector tensor = (FixedShapeTensorVector) root.getVector("tensor");
                Float4Vector values = (Float4Vector) tensor.values();
                assertEquals(batch.buffer().memoryAddress(), values.getDataBuffer().memoryAddress(), "no copy");
                assertEquals(3000, values.getValueCount());
                for (int row = 0; row < 5; row++) {
                    assertEquals(row, values.get(row * 600 + 599));
                    assertEquals(row, ((UInt8Vector) root.getVector("position")).get(row));
                    assertEquals(100 + row, ((UInt8Vector) root.getVector("frame_id")).get(row));
                }
                assertTrue(allocator.getAllocatedMemory() < 1024, "only the small columns are allocated: "
                        + allocator.getAllocatedMemory() + " bytes");
            }
        }
    }

    @Test
    void aRootOutlivingItsBatchAndRingNeverCrashes() {
        VectorSchemaRoot kept;
        try (BufferAllocator allocator = new RootAllocator()) {
            try (Ring ring = Ring.create(name, RingOptions.of(DType.FLOAT32, 4).capacity(4));
                 RingWriter writer = ring.writer();
                 RingReader reader = ring.reader("r")) {
                writer.write(new float[] {1, 2, 3, 4});
                try (RingBatch batch = reader.leaseBatch(4, Duration.ofSeconds(1))) {
                    kept = RingRoots.batch(ring, batch, allocator);
                }
            }
            Float4Vector values = (Float4Vector) ((FixedShapeTensorVector) kept.getVector("tensor")).values();
            assertEquals(4f, values.get(3), "the root's own reference keeps the mapping");
            kept.close();
        }
    }

    @Test
    void boolSlotsArePackedIntoBits() {
        try (Ring ring = Ring.create(name, RingOptions.of(DType.BOOL, 3).capacity(4));
             RingWriter writer = ring.writer();
             RingReader reader = ring.reader("r");
             BufferAllocator allocator = new RootAllocator()) {
            writer.write(new boolean[] {true, false, true});
            writer.write(new boolean[] {false, true, false});
            try (RingBatch batch = reader.leaseBatch(4, Duration.ofSeconds(1));
                 VectorSchemaRoot root = RingRoots.batch(ring, batch, allocator)) {
                BitVector bits = (BitVector) ((FixedShapeTensorVector) root.getVector("tensor")).values();
                assertEquals(6, bits.getValueCount());
                assertTrue(bits.get(0) == 1 && bits.get(1) == 0 && bits.get(4) == 1);
            }
        }
    }
}

package io.arrowshm.nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.DType;
import io.arrowshm.OpenOptions;
import io.arrowshm.ReadOnlyStreamException;
import io.arrowshm.SharedMemory;
import io.arrowshm.testing.Names;
import io.arrowshm.testing.Patterns;
import org.apache.arrow.memory.ArrowBuf;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** One JVM: what a view is, what reads and writes copy, and every refusal's message. */
class Nd4jStreamsTest {
    private final String name = Names.unique("nd4j");

    @AfterEach
    void removeStream() {
        SharedMemory.unlink(name);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"COMPLEX64", "COMPLEX128"}, mode = EnumSource.Mode.EXCLUDE)
    void aViewIsTheMappingItselfInCOrderWithTheStreamsShapeAndType(DType dtype) {
        try (SharedMemory shm = SharedMemory.create(name, dtype, 2, 3, 5)) {
            shm.write(Patterns.bytes(dtype, shm.size(), 3));
            INDArray view = Nd4jStreams.view(shm);

            assertEquals(mappingAddress(shm), view.data().addressPointer().address());
            assertArrayEquals(new long[] {2, 3, 5}, view.shape());
            assertEquals('c', view.ordering());
            assertEquals(Nd4jTypes.dataType(dtype), view.dataType());
            assertArrayEquals(bytesOf(Nd4jStreams.read(shm)), Patterns.bytes(dtype, shm.size(), 3));
        }
    }

    @Test
    void writesThroughTheViewAndPublishedWritesShareOneMemory() {
        try (SharedMemory shm = SharedMemory.create(name, DType.FLOAT32, 4, 4)) {
            shm.write(new float[16]);
            INDArray view = Nd4jStreams.view(shm);

            view.addi(2.5f); // a native in-place op on the mapping
            float[] seen = new float[16];
            shm.readInto(seen);
            assertEquals(2.5f, seen[7]);

            float[] next = new float[16];
            next[5] = 42;
            shm.write(next);
            assertEquals(42f, view.getFloat(1, 1)); // no re-read: the view is the memory
        }
    }

    @Test
    void readIsASnapshotInItsOwnMemory() {
        try (SharedMemory shm = SharedMemory.create(name, DType.INT32, 3, 3)) {
            shm.write(new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
            INDArray snapshot = Nd4jStreams.read(shm);
            shm.write(new int[9]);

            assertNotEquals(mappingAddress(shm), snapshot.data().addressPointer().address());
            assertEquals(5, snapshot.getInt(1, 1));
            assertEquals(2, shm.count());
        }
    }

    @Test
    void readIntoReusesTheCallersArray() {
        try (SharedMemory shm = SharedMemory.create(name, DType.FLOAT64, 2, 2)) {
            shm.write(new double[] {1, 2, 3, 4});
            INDArray target = Nd4j.createUninitialized(DataType.DOUBLE, new long[] {2, 2}, 'c');
            long address = target.data().addressPointer().address();

            Nd4jStreams.readInto(shm, target);

            assertEquals(address, target.data().addressPointer().address());
            assertEquals(Nd4j.createFromArray(new double[][] {{1, 2}, {3, 4}}), target);
        }
    }

    @Test
    void readZeroCopyRunsOnTheLiveMemory() {
        try (SharedMemory shm = SharedMemory.create(name, DType.FLOAT32, 8, 8)) {
            shm.write(ramp(64));
            long address = mappingAddress(shm);
            double sum = Nd4jStreams.readZeroCopy(shm, frame -> {
                assertEquals(address, frame.data().addressPointer().address());
                return frame.sumNumber().doubleValue();
            });
            assertEquals(63 * 64 / 2.0, sum);

            INDArray held = Nd4jStreams.view(shm);
            INDArray rowSums = Nd4jStreams.readZeroCopy(shm, held, frame -> frame.sum(1));
            assertEquals(8 * 7 / 2.0 + 8 * 8 * 7, rowSums.getDouble(7));
        }
    }

    @Test
    void readZeroCopyRefusesAnArrayThatIsNotAViewOfTheStream() {
        try (SharedMemory shm = SharedMemory.create(name, DType.FLOAT32, 8, 8)) {
            INDArray copy = Nd4jStreams.read(shm);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Nd4jStreams.readZeroCopy(shm, copy, INDArray::sumNumber));
            assertTrue(e.getMessage().contains("not a view of stream '" + name + "'"), e.getMessage());
        }
    }

    @Test
    void writesFromFOrderTransposedStridedAndOffsetViewsLandInCOrder() {
        try (SharedMemory shm = SharedMemory.create(name, DType.FLOAT32, 3, 4)) {
            INDArray expected = Nd4j.arange(12).castTo(DataType.FLOAT).reshape('c', 3, 4);

            INDArray fOrder = expected.dup('f');
            assertEquals('f', fOrder.ordering());
            assertWrites(shm, fOrder, expected);

            INDArray transposed = expected.transpose().dup('c').transpose(); // strides (1, 3)
            assertFalse(CContiguous.isDense(transposed));
            assertWrites(shm, transposed, expected);

            INDArray big = Nd4j.zeros(DataType.FLOAT, 6, 8);
            INDArray strided = big.get(NDArrayIndex.interval(0, 2, 6), NDArrayIndex.interval(0, 2, 8));
            strided.assign(expected);
            assertFalse(CContiguous.isDense(strided));
            assertWrites(shm, strided, expected);

            INDArray tall = Nd4j.zeros(DataType.FLOAT, 5, 4);
            INDArray rows = tall.get(NDArrayIndex.interval(2, 5), NDArrayIndex.all()); // contiguous, at an offset
            rows.assign(expected);
            assertFalse(CContiguous.isDense(rows));
            assertWrites(shm, rows, expected);
        }
    }

    @Test
    void aWriteIsOnePublication() {
        try (SharedMemory shm = SharedMemory.create(name, DType.INT16, 10)) {
            Nd4jStreams.write(shm, Nd4j.createFromArray(new short[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
            assertEquals(1, shm.count());
            short[] seen = new short[10];
            shm.readInto(seen);
            assertArrayEquals(new short[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, seen);
        }
    }

    @Test
    void writeRefusesAnotherTypeAndSaysHowToCast() {
        try (SharedMemory shm = SharedMemory.create(name, DType.FLOAT32, 2, 2)) {
            INDArray ints = Nd4j.createFromArray(new int[][] {{1, 2}, {3, 4}});
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Nd4jStreams.write(shm, ints));
            assertTrue(e.getMessage().contains("stream '" + name + "' holds float32"), e.getMessage());
            assertTrue(e.getMessage().contains("castTo(DataType.FLOAT)"), e.getMessage());

            Nd4jStreams.write(shm, ints.castTo(DataType.FLOAT)); // the documented explicit cast
            assertEquals(4f, Nd4jStreams.read(shm).getFloat(1, 1));
        }
    }

    @Test
    void writeRefusesAnotherShapeAndSaysHowToReshape() {
        try (SharedMemory shm = SharedMemory.create(name, DType.FLOAT32, 2, 3)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Nd4jStreams.write(shm, Nd4j.zeros(DataType.FLOAT, 3, 2)));
            assertTrue(e.getMessage().contains("shape [3, 2]"), e.getMessage());
            assertTrue(e.getMessage().contains("has shape [2, 3]"), e.getMessage());
            assertTrue(e.getMessage().contains("reshape"), e.getMessage());
        }
    }

    @Test
    void readIntoRefusesAViewTarget() {
        try (SharedMemory shm = SharedMemory.create(name, DType.FLOAT32, 2, 2)) {
            INDArray fOrder = Nd4j.zeros(DataType.FLOAT, 2, 2).dup('f');
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Nd4jStreams.readInto(shm, fOrder));
            assertTrue(e.getMessage().contains("Nd4jStreams.read(shm)"), e.getMessage());
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"COMPLEX64", "COMPLEX128"})
    void complexStreamsAreRefusedWithWhatToUseInstead(DType dtype) {
        try (SharedMemory shm = SharedMemory.create(name, dtype, 4)) {
            for (Runnable call : new Runnable[] {
                () -> Nd4jStreams.view(shm),
                () -> Nd4jStreams.read(shm),
                () -> Nd4jStreams.write(shm, Nd4j.zeros(DataType.FLOAT, 4)),
            }) {
                UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, call::run);
                assertTrue(e.getMessage().contains("holds " + dtype.numpyName()), e.getMessage());
                assertTrue(e.getMessage().contains("SharedMemory.readInto"), e.getMessage());
            }
        }
    }

    @Test
    void aReadOnlyHandleGivesCopiesButNoView() {
        try (SharedMemory shm = SharedMemory.create(name, DType.UINT8, 4)) {
            shm.write(new byte[] {1, 2, 3, (byte) 250});
            try (SharedMemory reader = SharedMemory.open(name, OpenOptions.readOnly())) {
                ReadOnlyStreamException e = assertThrows(ReadOnlyStreamException.class,
                        () -> Nd4jStreams.view(reader));
                assertTrue(e.getMessage().contains("Nd4jStreams.read(shm)"), e.getMessage());
                assertEquals(250, Nd4jStreams.read(reader).getInt(3));
            }
        }
    }

    @Test
    void aClosedHandleGivesNoNewView() {
        SharedMemory shm = SharedMemory.create(name, DType.FLOAT32, 4);
        shm.close();
        assertThrows(IllegalStateException.class, () -> Nd4jStreams.view(shm));
    }

    private static void assertWrites(SharedMemory shm, INDArray source, INDArray expected) {
        shm.clear();
        Nd4jStreams.write(shm, source);
        assertEquals(expected, Nd4jStreams.read(shm));
    }

    private static float[] ramp(int n) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = i;
        }
        return values;
    }

    static long mappingAddress(SharedMemory shm) {
        try (ArrowBuf payload = shm.buffer()) {
            return payload.memoryAddress();
        }
    }

    static byte[] bytesOf(INDArray dense) {
        byte[] out = new byte[Math.toIntExact(dense.length() * dense.data().getElementSize())];
        try (ArrowBuf bytes = ForeignArrowBufs.over(dense)) {
            bytes.getBytes(0, out);
        }
        return out;
    }
}

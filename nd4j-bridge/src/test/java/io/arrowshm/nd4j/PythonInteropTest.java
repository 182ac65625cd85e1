package io.arrowshm.nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.arrowshm.DType;
import io.arrowshm.SharedMemory;
import io.arrowshm.testing.Names;
import io.arrowshm.testing.Patterns;
import io.arrowshm.testing.PeerProcess;
import java.time.Duration;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Java views and writes against the real pyshmem 1.4.0 in a separate Python process: values
 * for every dtype both ways, Python writes seen through a view that was never re-read, and
 * in-place ND4J operations seen by Python.
 */
class PythonInteropTest {
    private static final Duration PEER_TIMEOUT = Duration.ofSeconds(60);
    private final String name = Names.unique("nd4j-py");

    @AfterEach
    void removeStream() {
        SharedMemory.unlink(name);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"COMPLEX64", "COMPLEX128"}, mode = EnumSource.Mode.EXCLUDE)
    void valuesPythonWritesAreWhatAViewAndASnapshotHold(DType dtype) {
        List<String> written = python("create-write", name, dtype.numpyName(), "5", "2", "3", "4");
        try (SharedMemory shm = SharedMemory.open(name)) {
            INDArray view = Nd4jStreams.view(shm);
            ElementTokens.assertMatches(ElementTokens.split(written.get(0)), view);
            ElementTokens.assertMatches(ElementTokens.split(written.get(0)), Nd4jStreams.read(shm));
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"COMPLEX64", "COMPLEX128"}, mode = EnumSource.Mode.EXCLUDE)
    void arraysJavaWritesAreWhatPythonReads(DType dtype) {
        try (SharedMemory shm = SharedMemory.create(name, dtype, 3, 5)) {
            INDArray values = arrayOfPattern(dtype, new long[] {3, 5}, 9);
            Nd4jStreams.write(shm, values.dup('f')); // F order on the Java side, C order in the stream

            List<String> seen = python("values", name);
            assertEquals("1", seen.get(0), "publication count seen by pyshmem");
            ElementTokens.assertMatches(ElementTokens.split(seen.get(1)), values);
        }
    }

    @Test
    void aPythonWriteIsSeenThroughAViewTakenBeforeIt() {
        try (SharedMemory shm = SharedMemory.create(name, DType.FLOAT32, 16, 16)) {
            shm.write(new float[256]);
            INDArray view = Nd4jStreams.view(shm);
            long address = view.data().addressPointer().address();

            List<String> written = python("write", name, "4");

            assertEquals(address, view.data().addressPointer().address());
            ElementTokens.assertMatches(ElementTokens.split(written.get(0)), view); // never re-read
            assertEquals(2, shm.count());
        }
    }

    @Test
    void inPlaceOperationsOnAViewAreSeenByPython() {
        try (SharedMemory shm = SharedMemory.create(name, DType.FLOAT32, 4, 4)) {
            INDArray ramp = Nd4j.arange(16).castTo(DataType.FLOAT).reshape('c', 4, 4);
            Nd4jStreams.write(shm, ramp);
            INDArray view = Nd4jStreams.view(shm);

            view.addi(1).muli(2); // native ops, result in the shared memory
            view.get(NDArrayIndex.interval(0, 2), NDArrayIndex.all()).assign(-1); // through a derived view
            view.putScalar(3, 3, 0.25);

            INDArray expected = ramp.add(1).mul(2);
            expected.get(NDArrayIndex.interval(0, 2), NDArrayIndex.all()).assign(-1);
            expected.putScalar(3, 3, 0.25);
            List<String> seen = python("values", name);
            ElementTokens.assertMatches(ElementTokens.split(seen.get(1)), expected);
        }
    }

    @Test
    void transposedAndStridedArraysReachPythonInLogicalOrder() {
        try (SharedMemory shm = SharedMemory.create(name, DType.INT32, 4, 6)) {
            INDArray logical = Nd4j.arange(24).castTo(DataType.INT32).reshape('c', 4, 6);

            Nd4jStreams.write(shm, logical.transpose().dup('c').transpose());
            ElementTokens.assertMatches(ElementTokens.split(python("values", name).get(1)), logical);

            INDArray sparse = Nd4j.zeros(DataType.INT32, 8, 18);
            INDArray strided = sparse.get(NDArrayIndex.interval(0, 2, 8), NDArrayIndex.interval(0, 3, 18));
            strided.assign(logical);
            Nd4jStreams.write(shm, strided);
            ElementTokens.assertMatches(ElementTokens.split(python("values", name).get(1)), logical);
        }
    }

    /** An array of {@code dtype} holding {@link Patterns} bytes, so every bit pattern of the type occurs. */
    private static INDArray arrayOfPattern(DType dtype, long[] shape, int seed) {
        INDArray array = Nd4j.createUninitialized(Nd4jTypes.dataType(dtype), shape, 'c');
        byte[] bytes = Patterns.bytes(dtype, array.length() * dtype.itemSize(), seed);
        try (ArrowBuf memory = ForeignArrowBufs.over(array)) {
            memory.setBytes(0, bytes);
        }
        return array;
    }

    private static List<String> python(String... args) {
        try (PeerProcess peer = PeerProcess.python("nd4j_peer.py", args)) {
            return peer.finish(PEER_TIMEOUT);
        }
    }
}

package io.arrowshm.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.DType;
import io.arrowshm.gpu.InvalidGpuHandleException.Kind;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Valid torch payloads, laid out by CPython's pickler, read field by field. */
class TorchIpcPickleTest {

    static Stream<String> validFixtures() {
        return Fixtures.valid();
    }

    @Test
    void theFixturesCoverEveryHandleVersionAndSeveralDtypes() {
        assertEquals("0,1,2,3", validFixtures().map(f -> Fixtures.expected(f, "handleVersion"))
                .distinct().sorted().reduce((a, b) -> a + "," + b).orElseThrow());
        assertTrue(validFixtures().map(f -> Fixtures.expected(f, "dtype")).distinct().count() >= 6);
    }

    /** The _gpu segment that pyshmem 1.4.0 and torch 2.11 wrote on a GPU host, as Java attaches it. */
    @Test
    void thePickleRealTorchWroteDescribesItsStream() {
        String real = "torch_2_11_pyshmem_float32_512x1024";
        GpuHandle handle = GpuHandleSegment.decode(ByteBuffer.wrap(Fixtures.bytes(real)));

        handle.requireMatches("frames", DType.FLOAT32, new long[] {512, 1024}, 0);
        assertEquals(0, handle.payloadOffsetBytes());
        assertEquals(512L * 1024 * 4, handle.payloadSizeBytes());
        assertEquals(0, handle.deviceIndex());
        assertTrue(((TorchCudaHandle) handle).eventSyncRequired());
        assertThrows(InvalidGpuHandleException.class,
                () -> handle.requireMatches("frames", DType.FLOAT32, new long[] {1024, 512}, 0));
    }

    @ParameterizedTest
    @MethodSource("validFixtures")
    void readsEveryFieldTorchWrote(String fixture) {
        TorchCudaHandle h = TorchIpcPickle.parse(ByteBuffer.wrap(Fixtures.bytes(fixture)));

        assertArrayEquals(Fixtures.expectedLongs(fixture, "shape"), h.shape());
        assertArrayEquals(Fixtures.expectedLongs(fixture, "stride"), h.stride());
        assertEquals(Fixtures.expectedLong(fixture, "tensorOffset"), h.tensorOffset());
        assertEquals(Fixtures.expected(fixture, "storageClass"), h.storageClass());
        assertEquals(Fixtures.expected(fixture, "dtype"), h.dtypeName());
        assertEquals(Fixtures.expectedLong(fixture, "itemSize"), h.itemSize());
        assertEquals(Fixtures.expectedLong(fixture, "device"), h.deviceIndex());
        assertEquals(Fixtures.expectedLong(fixture, "handleVersion"), h.storageHandle().version());
        assertArrayEquals(Fixtures.expectedHex(fixture, "ipcHandle"), h.ipcMemHandle());
        assertEquals(Fixtures.expectedLong(fixture, "storageSizeBytes"), h.storageSizeBytes());
        assertEquals(Fixtures.expectedLong(fixture, "storageOffsetBytes"), h.storageOffsetBytes());
        assertEquals(Boolean.parseBoolean(Fixtures.expected(fixture, "requiresGrad")), h.requiresGrad());
        assertEquals(Fixtures.expected(fixture, "refCounterHandle"), new String(h.refCounterHandle()));
        assertEquals(Fixtures.expectedLong(fixture, "refCounterOffset"), h.refCounterOffset());
        assertArrayEquals(Fixtures.expectedHex(fixture, "eventHandle"), h.eventHandle());
        assertEquals(Boolean.parseBoolean(Fixtures.expected(fixture, "eventSyncRequired")), h.eventSyncRequired());
    }

    @ParameterizedTest
    @MethodSource("validFixtures")
    void locatesThePayloadInsideTheMappedBlock(String fixture) {
        TorchCudaHandle h = TorchIpcPickle.parse(ByteBuffer.wrap(Fixtures.bytes(fixture)));
        long itemSize = Fixtures.expectedLong(fixture, "itemSize");
        long numel = Arrays.stream(h.shape()).reduce(1, Math::multiplyExact);

        assertEquals(h.storageOffsetBytes() + h.tensorOffset() * itemSize, h.payloadOffsetBytes());
        assertEquals(numel * itemSize, h.payloadSizeBytes());
    }

    @ParameterizedTest
    @MethodSource("validFixtures")
    void ignoresBytesAfterStopAndDispatchesAsTorch(String fixture) {
        byte[] pickle = Fixtures.bytes(fixture);
        byte[] padded = Arrays.copyOf(pickle, pickle.length + 4096);
        Arrays.fill(padded, pickle.length, padded.length, (byte) 'c'); // GLOBAL, were it ever read

        GpuHandle h = GpuHandleSegment.decode(ByteBuffer.wrap(padded));

        assertEquals(TorchIpcPickle.parse(ByteBuffer.wrap(pickle)), h);
    }

    @ParameterizedTest
    @MethodSource("validFixtures")
    void parsesFromTheBufferPositionWithoutMovingIt(String fixture) {
        byte[] pickle = Fixtures.bytes(fixture);
        ByteBuffer buffer = ByteBuffer.allocate(pickle.length + 10);
        buffer.position(10);
        buffer.put(pickle).position(10);

        TorchIpcPickle.parse(buffer);

        assertEquals(10, buffer.position());
    }

    @Test
    void mapsPyshmemDtypesAndKeepsOthersByName() {
        assertEquals(Optional.of(DType.FLOAT32),
                TorchIpcPickle.parse(ByteBuffer.wrap(Fixtures.bytes("v2_float32_2x3"))).dtype());
        assertEquals(Optional.of(DType.BOOL),
                TorchIpcPickle.parse(ByteBuffer.wrap(Fixtures.bytes("v2_bool_large_storage"))).dtype());
    }

    @Test
    void matchesTheStreamMetadataItWasMadeFor() {
        TorchCudaHandle h = TorchIpcPickle.parse(ByteBuffer.wrap(Fixtures.bytes("v2_float32_2x3")));

        h.requireMatches("frames", DType.FLOAT32, new long[] {2, 3}, 0);
    }

    @Test
    void refusesMetadataOfAnotherGeneration() {
        TorchCudaHandle h = TorchIpcPickle.parse(ByteBuffer.wrap(Fixtures.bytes("v2_float32_2x3")));

        var shape = assertThrows(InvalidGpuHandleException.class,
                () -> h.requireMatches("frames", DType.FLOAT32, new long[] {3, 2}, 0));
        var dtype = assertThrows(InvalidGpuHandleException.class,
                () -> h.requireMatches("frames", DType.INT32, new long[] {2, 3}, 0));
        var device = assertThrows(InvalidGpuHandleException.class,
                () -> h.requireMatches("frames", DType.FLOAT32, new long[] {2, 3}, 1));

        assertEquals(Kind.GEOMETRY_MISMATCH, shape.kind());
        assertTrue(shape.getMessage().contains("expected shape (3, 2) dtype float32, got shape (2, 3) dtype float32"),
                shape.getMessage());
        assertTrue(dtype.getMessage().contains("dtype int32"), dtype.getMessage());
        assertTrue(device.getMessage().contains("cuda:0 but its metadata says cuda:1"), device.getMessage());
    }
}

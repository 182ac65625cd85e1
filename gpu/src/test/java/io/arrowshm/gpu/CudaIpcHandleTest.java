package io.arrowshm.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.gpu.InvalidGpuHandleException.Kind;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class CudaIpcHandleTest {
    private static final byte[] RAW = new byte[64];

    static {
        for (int i = 0; i < RAW.length; i++) {
            RAW[i] = (byte) (i * 3 + 1);
        }
    }

    private static byte[] prefixed(int version, char type, int payloadLength) {
        byte[] out = new byte[2 + payloadLength];
        out[0] = (byte) version;
        out[1] = (byte) type;
        System.arraycopy(RAW, 0, out, 2, Math.min(payloadLength, RAW.length));
        return out;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void stripsTheVersionAndTypePrefix(int version) {
        CudaIpcHandle h = CudaIpcHandle.parse(prefixed(version, 'c', 64));
        assertEquals(version, h.version());
        assertArrayEquals(RAW, h.memHandle());
    }

    @Test
    void takesABare64ByteHandleAsLegacy() {
        CudaIpcHandle h = CudaIpcHandle.parse(RAW);
        assertTrue(h.legacy());
        assertArrayEquals(RAW, h.memHandle());
    }

    @Test
    void refusesExpandableSegmentsWithWhatToDo() {
        InvalidGpuHandleException e = assertThrows(InvalidGpuHandleException.class,
                () -> CudaIpcHandle.parse(prefixed(2, 'e', 100)));
        assertEquals(Kind.UNSUPPORTED_HANDLE, e.kind());
        assertTrue(e.getMessage().contains("PYTORCH_CUDA_ALLOC_CONF=expandable_segments:False"), e.getMessage());
    }

    @Test
    void refusesUnknownVersionsTypesAndLengths() {
        assertEquals(Kind.UNSUPPORTED_HANDLE, assertThrows(InvalidGpuHandleException.class,
                () -> CudaIpcHandle.parse(prefixed(0, 'c', 64))).kind());
        assertEquals(Kind.UNSUPPORTED_HANDLE, assertThrows(InvalidGpuHandleException.class,
                () -> CudaIpcHandle.parse(prefixed(4, 'c', 64))).kind());
        assertEquals(Kind.UNSUPPORTED_HANDLE, assertThrows(InvalidGpuHandleException.class,
                () -> CudaIpcHandle.parse(prefixed(2, 'x', 64))).kind());
        assertEquals(Kind.WRONG_STRUCTURE, assertThrows(InvalidGpuHandleException.class,
                () -> CudaIpcHandle.parse(prefixed(2, 'c', 63))).kind());
        assertEquals(Kind.WRONG_STRUCTURE, assertThrows(InvalidGpuHandleException.class,
                () -> CudaIpcHandle.parse(new byte[1])).kind());
        assertEquals(Kind.WRONG_STRUCTURE, assertThrows(InvalidGpuHandleException.class,
                () -> CudaIpcHandle.parse(new byte[0])).kind());
    }

    @Test
    void keepsItsBytesToItself() {
        byte[] source = prefixed(2, 'c', 64);
        CudaIpcHandle h = CudaIpcHandle.parse(source);
        source[2] ^= 1;
        h.memHandle()[0] ^= 1;
        assertArrayEquals(RAW, h.memHandle());
    }
}

package io.arrowshm.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.lang.reflect.Field;
import org.junit.jupiter.api.Test;

/**
 * What can be checked of the IPC skeleton without a device: that handle bytes reach the
 * private array JCuda 12.6.0's JNI code reads (JCuda offers no setter for it).
 */
class CudaIpcMappingTest {

    private static byte[] reserved(Object jcudaHandle) throws ReflectiveOperationException {
        Field f = jcudaHandle.getClass().getDeclaredField("reserved");
        f.setAccessible(true);
        return (byte[]) f.get(jcudaHandle);
    }

    @Test
    void handleBytesReachJCudasHandleStructs() throws ReflectiveOperationException {
        byte[] bytes = new byte[64];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (255 - i);
        }

        assertArrayEquals(bytes, reserved(CudaIpcMapping.memHandle(bytes)));
        assertArrayEquals(bytes, reserved(CudaIpcMapping.eventHandle(bytes)));
    }
}

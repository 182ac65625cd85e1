package io.arrowshm.nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Native;
import io.arrowshm.DType;
import io.arrowshm.SharedMemory;
import io.arrowshm.testing.Names;
import java.io.File;
import java.lang.reflect.Field;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The platform decisions hold at run time: ND4J brings JNA 4.3.0 through oshi-core, yet the
 * JNA loaded beside a working ND4J backend is 5.19.1, and the backend is the CPU one from
 * nd4j-native.
 */
class DependencyPinsTest {
    @Test
    void jnaAtRunTimeIs5191BesideAWorkingNd4jBackend() throws ReflectiveOperationException {
        String name = Names.unique("nd4j-pins");
        try (SharedMemory shm = SharedMemory.create(name, DType.FLOAT32, 2)) { // JNA syscalls in the core
            Nd4jStreams.write(shm, Nd4j.createFromArray(1f, 2f));
            assertEquals(3.0, Nd4jStreams.view(shm).sumNumber().doubleValue());
        } finally {
            SharedMemory.unlink(name);
        }
        assertEquals("5.19.1", Native.VERSION); // the API compiled against
        // ...but javac inlines that constant, so also read it from the class actually loaded.
        Field loaded = Class.forName("com.sun.jna.Version", true, Native.class.getClassLoader()).getField("VERSION");
        loaded.setAccessible(true);
        assertEquals("5.19.1", loaded.get(null));
        String jnaJar = Native.class.getProtectionDomain().getCodeSource().getLocation().getPath();
        assertTrue(jnaJar.endsWith("jna-5.19.1.jar"), jnaJar);
        assertFalse(Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .anyMatch(entry -> entry.contains("jna-4.") || entry.contains("jna-platform-4.")),
                "a JNA 4.x jar is on the test class path");
        assertTrue(Nd4j.getBackend().getClass().getName().contains("Cpu"), Nd4j.getBackend().getClass().getName());
    }
}

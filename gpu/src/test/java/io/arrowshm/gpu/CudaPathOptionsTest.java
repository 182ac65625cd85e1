package io.arrowshm.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.CreateOptions;
import io.arrowshm.DType;
import io.arrowshm.SharedMemory;
import io.arrowshm.internal.format.StreamNames;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The options' defaults (every path that has not run on a device off) and their strict parsing. */
class CudaPathOptionsTest {

    private static CudaPathOptions from(Map<String, String> properties) {
        return CudaPathOptions.from(properties::get);
    }

    @Test
    void everyOptionIsOffByDefault() {
        CudaPathOptions defaults = from(Map.of());

        assertEquals(CudaPathOptions.defaults(), defaults);
        assertEquals(new CudaPathOptions(false, 8L << 20, false, false), defaults);
        assertEquals("arrowshm.gpu.pinnedStaging=false arrowshm.gpu.stagingChunkBytes=8388608"
                + " arrowshm.gpu.eventSync=false arrowshm.gpu.checkAllocationRange=false", defaults.describe());
    }

    @Test
    void eachPropertyTurnsOnItsOwnPath() {
        assertEquals(new CudaPathOptions(true, 8L << 20, false, false), from(Map.of(CudaPathOptions.PINNED_STAGING,
                "true")));
        assertEquals(new CudaPathOptions(false, 8L << 20, true, false), from(Map.of(CudaPathOptions.EVENT_SYNC,
                " TRUE ")));
        assertEquals(new CudaPathOptions(false, 8L << 20, false, true), from(Map.of(
                CudaPathOptions.CHECK_ALLOCATION_RANGE, "true")));
        assertEquals(new CudaPathOptions(true, 1L << 20, true, false), from(Map.of(CudaPathOptions.PINNED_STAGING,
                "true", CudaPathOptions.EVENT_SYNC, "true", CudaPathOptions.STAGING_CHUNK_BYTES, "1048576")));
        assertEquals(CudaPathOptions.defaults(), from(Map.of(CudaPathOptions.PINNED_STAGING, "false")));
    }

    @Test
    void aValueThatIsNotTrueOrFalseNamesTheProperty() {
        for (String bad : new String[] {"yes", "1", "", "ture"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> from(Map.of(CudaPathOptions.PINNED_STAGING, bad)));
            assertEquals("system property arrowshm.gpu.pinnedStaging is \"" + bad + "\"; set it to true or false"
                    + " (unset: false)", e.getMessage());
        }
    }

    @Test
    void chunkSizesOutOfRangeOrNotWholePagesAreRefused() {
        for (String bad : new String[] {"4096", "1000000", String.valueOf(1L << 30), "-8388608"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> from(Map.of(CudaPathOptions.STAGING_CHUNK_BYTES, bad)));
            assertTrue(e.getMessage().startsWith("system property arrowshm.gpu.stagingChunkBytes: a staging chunk of "
                    + bad + " bytes is not a multiple of 4096 between 65536 and 536870912"), e.getMessage());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> from(Map.of(CudaPathOptions.STAGING_CHUNK_BYTES, "8MiB")));
        assertEquals("system property arrowshm.gpu.stagingChunkBytes is \"8MiB\"; set it to a number of bytes"
                + " (unset: 8388608)", e.getMessage());
        assertEquals(64L << 10, from(Map.of(CudaPathOptions.STAGING_CHUNK_BYTES, "65536")).stagingChunkBytes());
        assertEquals(512L << 20, from(Map.of(CudaPathOptions.STAGING_CHUNK_BYTES, "536870912")).stagingChunkBytes());
    }

    @Test
    void aBadPropertyFailsTheCreateNamingItAndLeavesNothingBehind() {
        String name = "arrowshm-test-badoption-" + ProcessHandle.current().pid();
        System.setProperty(CudaPathOptions.PINNED_STAGING, "on");
        try {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SharedMemory.create(name,
                    CreateOptions.of(DType.FLOAT32, 2, 3).gpuDevice("cuda:0").cpuMirror(true)));
            assertTrue(e.getMessage().startsWith("system property arrowshm.gpu.pinnedStaging is \"on\""),
                    e.getMessage());
            StreamNames names = StreamNames.of(name);
            for (String segment : new String[] {names.dataSegment(), names.metaSegment(), names.gpuSegment()}) {
                assertFalse(Files.exists(Path.of("/dev/shm", segment)), segment);
            }
        } finally {
            System.clearProperty(CudaPathOptions.PINNED_STAGING);
            SharedMemory.unlink(name);
        }
    }

    @Test
    void theSystemPropertiesAreReadEachTimeAHandleIsMade() {
        String before = System.getProperty(CudaPathOptions.EVENT_SYNC);
        try {
            System.setProperty(CudaPathOptions.EVENT_SYNC, "true");
            assertTrue(CudaPathOptions.fromSystemProperties().eventSync());
            System.setProperty(CudaPathOptions.EVENT_SYNC, "false");
            assertEquals(CudaPathOptions.defaults(), CudaPathOptions.fromSystemProperties());
        } finally {
            if (before == null) {
                System.clearProperty(CudaPathOptions.EVENT_SYNC);
            } else {
                System.setProperty(CudaPathOptions.EVENT_SYNC, before);
            }
        }
    }
}

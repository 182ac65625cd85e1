package io.arrowshm.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CatalogTest {
    @Test
    void everyKeyBelongsToTheStageThatYieldsIt() {
        assertEquals(Options.Stage.THROUGHPUT, Catalog.stageOf("throughput/ring-4r-64KiB"));
        assertEquals(Options.Stage.PINGPONG, Catalog.stageOf("roundtrip/java-ring"));
        assertEquals(Options.Stage.PYSHMEM, Catalog.stageOf("pyshmem/write/97"));
        assertEquals(Options.Stage.PYSHMEM, Catalog.stageOf("numpy-memcpy/copyto/97"));
        assertEquals(Options.Stage.JMH, Catalog.stageOf("arrow-shm/ringWriteBlock/97"));
        assertEquals(Options.Stage.JMH, Catalog.stageOf("floor/instantNow/97"));
    }

    @Test
    void theRingFiguresAreExpectedOnBothJdksAndCrossProcessOnesOnce() {
        assertTrue(Catalog.javaKeys().contains("arrow-shm/ringWriteOverwrite/97"));
        assertTrue(Catalog.jdk25Keys().contains("arrow-shm@jdk25/ringWriteOverwrite/97"));
        assertTrue(Catalog.javaKeys().contains("throughput/agrona-1r-97"));
        assertTrue(Catalog.javaKeys().contains("throughput/glibc-memcpy-ring-sized-4MiB"));
        assertTrue(Catalog.javaKeys().contains("roundtrip/java-ring"));
        assertTrue(Catalog.jdk25Keys().stream()
                .noneMatch(k -> k.startsWith("throughput/") || k.startsWith("roundtrip/")));
    }
}

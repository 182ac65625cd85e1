package io.arrowshm.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

class OptionsTest {
    @Test
    void defaultsToAFullRunOfEverything() {
        Options options = Options.parse();
        assertEquals(RunMode.FULL, options.mode());
        assertEquals(Options.DEFAULT_OUT, options.out());
        assertEquals(EnumSet.allOf(Options.Stage.class), options.stages());
    }

    @Test
    void readsEveryOption() {
        Options options = Options.parse("--quick", "--out", "x", "--python", "/p", "--only", "jmh,pingpong");
        assertEquals(RunMode.QUICK, options.mode());
        assertEquals(Path.of("x"), options.out());
        assertEquals("/p", options.python());
        assertEquals(EnumSet.of(Options.Stage.JMH, Options.Stage.PINGPONG), options.stages());
        assertEquals(EnumSet.of(Options.Stage.THROUGHPUT), Options.parse("--only", "throughput").stages());
    }

    @Test
    void rejectsUnknownArgumentsWithTheUsage() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Options.parse("--fast"));
        assertEquals(true, e.getMessage().contains("usage:"));
        assertThrows(IllegalArgumentException.class, () -> Options.parse("--out"));
    }
}

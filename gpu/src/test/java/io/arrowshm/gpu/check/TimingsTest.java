package io.arrowshm.gpu.check;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** How the device check states its figures. */
class TimingsTest {

    @Test
    void mediansOfOddAndEvenCounts() {
        assertEquals(2.0, Timings.median(new double[] {3, 1, 2}));
        assertEquals(2.5, Timings.median(new double[] {4, 1, 3, 2}));
    }

    @Test
    void figuresAndRatios() {
        long bytes = 381L << 20;
        assertEquals("pageable 125.000 ms (3.2 GB/s)", Timings.figure("pageable", new double[] {125, 120, 130}, bytes));
        assertEquals("10.00", Timings.ratio(new double[] {125}, new double[] {12.5}));
        assertEquals("381 MiB", Timings.mib(bytes));
        assertEquals("4 MiB", Timings.mib(4L << 20));
    }

    @Test
    void aRoundIsWarmedUpOnceAndTimedEachTime() throws Exception {
        int[] calls = {0};
        double[] ms = Timings.time(5, () -> calls[0]++);
        assertEquals(5, ms.length);
        assertEquals(6, calls[0]);
    }
}

package io.arrowshm.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.gpu.InvalidGpuHandleException.Kind;
import org.junit.jupiter.api.Test;

/**
 * The attach refusal's arithmetic: a record's payload must lie inside the allocation it
 * names. Planted records choose offsets and sizes freely, so the edges, overflow and
 * unsigned device addresses are all covered.
 */
class AllocationBoundsTest {
    static final long BASE = 0x7f00_0000_0000L;
    static final long MIB2 = 2L << 20;

    @Test
    void aPayloadInsideTheAllocationGivesBasePlusOffset() {
        assertEquals(BASE, AllocationBounds.payloadPointer("s", BASE, MIB2, BASE, 0, 24, "r"));
        assertEquals(BASE + 4096, AllocationBounds.payloadPointer("s", BASE, MIB2, BASE, 4096, MIB2 - 4096, "r"));
        assertEquals(BASE + MIB2 - 1, AllocationBounds.payloadPointer("s", BASE, MIB2, BASE, MIB2 - 1, 1, "r"),
                "the last byte exactly");
        assertNull(AllocationBounds.problem(BASE - 512, MIB2, BASE, 0, MIB2 - 512), "a base inside a wider range");
    }

    @Test
    void aPayloadEndingOneBytePastTheEndIsRefused() {
        InvalidGpuHandleException e = assertThrows(InvalidGpuHandleException.class,
                () -> AllocationBounds.payloadPointer("frames", BASE, MIB2, BASE, 4096, MIB2 - 4095,
                        "the allocation this process made"));

        assertEquals(Kind.OUTSIDE_ALLOCATION, e.kind());
        assertTrue(e.getMessage().startsWith("the _gpu segment of 'frames' puts 2093057 payload bytes at offset 4096"
                + " from 0x7f0000000000, outside the allocation this process made (2097152 bytes at 0x7f0000000000):"
                + " the payload ends 1 bytes past the allocation's end"), e.getMessage());
        assertTrue(e.getMessage().endsWith("recreate the stream"), e.getMessage());
    }

    @Test
    void offsetsThatWouldOverflowAreRefusedNotWrapped() {
        assertEquals("the offset lies past the allocation's end",
                AllocationBounds.problem(BASE, MIB2, BASE, Long.MAX_VALUE, 24));
        assertEquals("the payload ends " + (Long.MAX_VALUE - MIB2) + " bytes past the allocation's end",
                AllocationBounds.problem(BASE, MIB2, BASE, 0, Long.MAX_VALUE));
        assertEquals("the offset lies past the allocation's end", AllocationBounds.problem(BASE, MIB2, BASE, MIB2, 1));
        assertEquals("the offset is negative", AllocationBounds.problem(BASE, MIB2, BASE, -4096, 24));
    }

    @Test
    void aBaseOutsideTheRangeIsRefused() {
        assertEquals("the base lies before the allocation", AllocationBounds.problem(BASE, MIB2, BASE - 1, 1, 24));
        assertEquals("the base lies past the allocation", AllocationBounds.problem(BASE, MIB2, BASE + MIB2, 0, 1));
    }

    @Test
    void addressesAboveTwoToThe63AreComparedUnsigned() {
        long high = 0xffff_8000_0000_0000L; // negative as a Java long
        assertNull(AllocationBounds.problem(high, MIB2, high, 0, MIB2));
        assertEquals("the base lies before the allocation", AllocationBounds.problem(high, MIB2, BASE, 0, 1));
        assertEquals("the base lies past the allocation", AllocationBounds.problem(BASE, MIB2, high, 0, 1));
    }

    @Test
    void emptyAllocationsOrPayloadsAreRefused() {
        assertEquals("the allocation is empty", AllocationBounds.problem(BASE, 0, BASE, 0, 1));
        assertEquals("the allocation is empty", AllocationBounds.problem(BASE, -1, BASE, 0, 1));
        assertEquals("the payload is empty", AllocationBounds.problem(BASE, MIB2, BASE, 0, 0));
    }
}

package io.arrowshm.internal.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.internal.posix.Segments;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.arrow.memory.ArrowBuf;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Views handed to callers hold their own reference: no caller can unmap what the handle or another caller uses. */
class PayloadMappingTest {
    private final String segment = "arrowshm-test-views-" + ProcessHandle.current().pid();

    @AfterEach
    void cleanUp() {
        Segments.delete(segment);
    }

    private static boolean mapped(long address) throws IOException {
        String prefix = Long.toHexString(address) + "-";
        return Files.readAllLines(Path.of("/proc/self/maps")).stream().anyMatch(l -> l.startsWith(prefix));
    }

    @Test
    void closingAViewTwiceGivesBackOnlyItsOwnReference() throws IOException {
        PayloadMapping payload = new PayloadMapping(Segments.create(segment, 4096), 4096);
        ArrowBuf first = payload.view();
        ArrowBuf second = payload.view();
        first.setByte(0, 42);
        first.close();
        first.close(); // harmless
        assertEquals(0, first.refCnt());
        assertEquals(42, second.getByte(0), "the other view still reads the mapping");
        payload.release();
        assertTrue(mapped(payload.address()), "a view still holds the mapping after the handle let go");
        assertEquals(42, second.getByte(0));
        second.close();
        assertFalse(mapped(payload.address()), "the last reference unmapped it");
    }

    @Test
    void slicesShareTheirViewsCountAndCannotReachTheHandles() throws IOException {
        PayloadMapping payload = new PayloadMapping(Segments.create(segment, 4096), 4096);
        ArrowBuf view = payload.view();
        ArrowBuf slice = view.slice(100, 200);
        assertEquals(200, slice.capacity());
        assertEquals(view.memoryAddress() + 100, slice.memoryAddress());
        slice.close(); // shares the view's count: the view's one reference is gone
        view.close();
        slice.close();
        ArrowBuf fresh = payload.view();
        fresh.setByte(4095, 1);
        assertEquals(1, fresh.getByte(4095), "the handle's reference was never touched");
        fresh.close();
        payload.release();
        assertFalse(mapped(payload.address()));
    }

    @Test
    void aClosedViewCannotBeRetainedOrMovedToAnotherAllocator() {
        PayloadMapping payload = new PayloadMapping(Segments.create(segment, 4096), 4096);
        ArrowBuf view = payload.view();
        assertThrows(UnsupportedOperationException.class,
                () -> view.getReferenceManager().transferOwnership(view, Allocators.root()));
        view.close();
        assertThrows(IllegalStateException.class, () -> view.getReferenceManager().retain());
        payload.release();
    }
}

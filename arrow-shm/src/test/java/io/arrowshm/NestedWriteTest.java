package io.arrowshm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.testing.Names;
import io.arrowshm.testing.Patterns;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Defect 7: a write nested inside an open WriteView on the same thread (the write lock is
 * re-entrant, so nothing else stops it) throws IllegalStateException and changes nothing; the
 * view then publishes normally, the sequence only grows and the count rises by exactly one.
 */
@Timeout(60)
class NestedWriteTest {
    private static final int SIZE = 4096;
    private final String name = Names.unique("nested");

    @AfterEach
    void removeStream() throws Exception {
        RegressionSupport.removeStream(name);
    }

    @ParameterizedTest(name = "{0} inside an open write view")
    @ValueSource(strings = {"write", "write-frame-id", "clear", "writeLocked", "second-handle-write",
        "second-handle-clear", "second-handle-writeLocked"})
    void aNestedWriteIsRefusedAndChangesNothing(String nested) {
        byte[] before = Patterns.bytes(DType.UINT8, SIZE, 1);
        byte[] viewBytes = Patterns.bytes(DType.UINT8, SIZE, 2);
        byte[] nestedBytes = Patterns.bytes(DType.UINT8, SIZE, 3);
        try (SharedMemory shm = SharedMemory.create(name, DType.UINT8, SIZE);
             SharedMemory second = SharedMemory.open(name);
             SharedMemory observer = SharedMemory.open(name, OpenOptions.readOnly())) {
            shm.write(before);
            long count0 = shm.count();
            long seq0 = shm.writeSequence();
            try (WriteView view = shm.writeView()) {
                view.buffer().setBytes(0, viewBytes);
                long seqOpen = observer.writeSequence();
                assertTrue(seqOpen > seq0 && seqOpen % 2 != 0, "the open view's sequence " + seqOpen);
                assertThrows(IllegalStateException.class, () -> nestedWrite(nested, shm, second, nestedBytes));
                assertEquals(seqOpen, observer.writeSequence(), "the refused write moved writeSequence");
                assertEquals(count0, observer.count(), "the refused write changed count");
                byte[] live = new byte[SIZE];
                view.buffer().getBytes(0, live);
                assertArrayEquals(viewBytes, live, "the refused write changed the payload under the view");
                view.publish();
            }
            long seq1 = observer.writeSequence();
            assertTrue(seq1 > seq0 && seq1 % 2 == 0, "after publish writeSequence is " + seq1 + " (was " + seq0 + ")");
            assertEquals(count0 + 1, observer.count(), "count must rise by exactly one");
            byte[] back = new byte[SIZE];
            observer.readInto(back);
            assertArrayEquals(viewBytes, back, "the view's payload was not what got published");
            // The handles still write normally afterwards.
            shm.write(before);
            second.write(nestedBytes);
            observer.readInto(back);
            assertArrayEquals(nestedBytes, back);
            assertEquals(count0 + 3, observer.count());
            assertTrue(observer.writeSequence() > seq1);
        }
    }

    private static void nestedWrite(String nested, SharedMemory shm, SharedMemory second, byte[] bytes) {
        switch (nested) {
            case "write": shm.write(bytes); break;
            case "write-frame-id": shm.write(bytes, 99L); break;
            case "clear": shm.clear(); break;
            case "writeLocked": shm.writeLocked(bytes); break;
            case "second-handle-write": second.write(bytes); break;
            case "second-handle-clear": second.clear(); break;
            case "second-handle-writeLocked": {
                second.acquire(); // re-entrant in this thread; the write under it is still nested
                try {
                    second.writeLocked(bytes);
                } finally {
                    second.release();
                }
                break;
            }
            default: throw new IllegalArgumentException(nested);
        }
    }
}

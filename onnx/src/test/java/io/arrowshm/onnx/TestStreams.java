package io.arrowshm.onnx;

import io.arrowshm.DType;
import io.arrowshm.SharedMemory;
import io.arrowshm.testing.Names;
import java.util.ArrayList;
import java.util.List;

/** Streams one test creates under unique names, all removed by {@link #removeAll()} (from an {@code @AfterEach}). */
final class TestStreams {
    private final String prefix;
    private final List<SharedMemory> streams = new ArrayList<>();

    TestStreams(String prefix) {
        this.prefix = prefix;
    }

    SharedMemory create(DType dtype, long... shape) {
        SharedMemory shm = SharedMemory.create(Names.unique(prefix), dtype, shape);
        streams.add(shm);
        return shm;
    }

    void removeAll() {
        streams.forEach(SharedMemory::unlink); // closes each handle too
        streams.clear();
    }
}

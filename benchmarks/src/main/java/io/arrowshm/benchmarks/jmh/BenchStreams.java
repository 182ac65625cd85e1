package io.arrowshm.benchmarks.jmh;

import io.arrowshm.DType;
import io.arrowshm.SharedMemory;
import io.arrowshm.benchmarks.Shape;
import java.util.concurrent.atomic.AtomicInteger;

/** Creates the streams the single-process benchmarks publish into, named so runs never collide. */
final class BenchStreams {
    private static final AtomicInteger SERIAL = new AtomicInteger();

    private BenchStreams() {
    }

    /** A fresh float32 stream with one (all-zero) publication, so reads have something stable to copy. */
    static SharedMemory published(Shape shape) {
        String name = "arrowshm-bench-" + ProcessHandle.current().pid() + "-" + shape.label() + "-"
                + SERIAL.incrementAndGet();
        SharedMemory shm = SharedMemory.create(name, DType.FLOAT32, shape.dims());
        shm.clear();
        return shm;
    }

    static float[] frame(Shape shape) {
        float[] frame = new float[shape.elements()];
        for (int i = 0; i < frame.length; i++) {
            frame[i] = i;
        }
        return frame;
    }
}

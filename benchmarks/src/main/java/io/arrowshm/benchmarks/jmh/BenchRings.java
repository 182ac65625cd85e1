package io.arrowshm.benchmarks.jmh;

import io.arrowshm.DType;
import io.arrowshm.Overflow;
import io.arrowshm.Ring;
import io.arrowshm.RingOptions;
import io.arrowshm.benchmarks.Shape;
import java.util.concurrent.atomic.AtomicInteger;

/** Creates the rings the single-process ring benchmarks use, named so runs never collide. */
final class BenchRings {
    private static final AtomicInteger SERIAL = new AtomicInteger();

    private BenchRings() {
    }

    /** A fresh float32 ring of {@code capacity} slots of {@code shape}; the caller unlinks it. */
    static Ring create(Shape shape, long capacity, Overflow overflow) {
        String name = "arrowshm-bench-ring-" + ProcessHandle.current().pid() + "-" + shape.label() + "-"
                + SERIAL.incrementAndGet();
        return Ring.create(name, RingOptions.of(DType.FLOAT32, shape.dims()).capacity(capacity).overflow(overflow));
    }

    /** Closes and removes a ring, whatever state the benchmark left it in. */
    static void remove(Ring ring) {
        if (ring != null) {
            ring.close();
            Ring.unlink(ring.name());
        }
    }
}

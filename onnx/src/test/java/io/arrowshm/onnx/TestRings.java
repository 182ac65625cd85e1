package io.arrowshm.onnx;

import io.arrowshm.Ring;
import io.arrowshm.RingOptions;
import io.arrowshm.testing.Names;
import java.util.ArrayList;
import java.util.List;

/** Rings one test creates under unique names, all removed by {@link #removeAll()} (from an {@code @AfterEach}). */
final class TestRings {
    private final String prefix;
    private final List<Ring> rings = new ArrayList<>();

    TestRings(String prefix) {
        this.prefix = prefix;
    }

    Ring create(RingOptions options) {
        Ring ring = Ring.create(Names.unique(prefix), options);
        rings.add(ring);
        return ring;
    }

    void removeAll() {
        for (Ring ring : rings) {
            ring.close();
            Ring.unlink(ring.name());
        }
        rings.clear();
    }
}

package io.arrowshm.interop.suite;

import io.arrowshm.Ring;
import io.arrowshm.SharedMemory;
import io.arrowshm.testing.Names;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Stream and ring names for one test, unique to this run, and removed after it whichever language
 * made them (segments outlive every process, so a failed test must not leave them behind).
 */
final class TestStreams implements AfterEachCallback {
    private final List<String> names = new ArrayList<>();

    /** A fresh name, removed after the test. */
    String name(String label) {
        String name = Names.unique(label);
        names.add(name);
        return name;
    }

    /** Removes {@code name} after the test too (a name the test built itself). */
    String track(String name) {
        names.add(name);
        return name;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        for (String name : names) {
            SharedMemory.unlink(name);
            Ring.unlink(name); // a ring test's names too
        }
        names.clear();
    }
}

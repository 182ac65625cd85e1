package io.arrowshm.interop.suite;

import io.arrowshm.Ring;
import io.arrowshm.testing.Names;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Ring names for one test, unique to this run, unlinked after it whichever language made them. */
final class TestRings implements AfterEachCallback {
    private final List<String> names = new ArrayList<>();

    String name(String label) {
        return track(Names.unique("ring-" + label));
    }

    String track(String name) {
        names.add(name);
        return name;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        for (String name : names) {
            Ring.unlink(name);
        }
        names.clear();
    }
}

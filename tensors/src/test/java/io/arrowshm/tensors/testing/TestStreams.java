package io.arrowshm.tensors.testing;

import io.arrowshm.SharedMemory;
import io.arrowshm.testing.Names;
import java.util.ArrayList;
import java.util.List;

/**
 * Stream names a test makes up, each unlinked when the test ends, whether the code under test
 * created the stream or (as it should have) refused to.
 *
 * <pre>{@code
 * private final TestStreams streams = new TestStreams();
 * @AfterEach void unlink() { streams.unlinkAll(); }
 * String target = streams.name("put-bomb");
 * }</pre>
 */
public final class TestStreams {
    private final List<String> names = new ArrayList<>();

    /** A name unique to this run ({@link Names#unique}), remembered for {@link #unlinkAll()}. */
    public String name(String prefix) {
        String name = Names.unique(prefix);
        names.add(name);
        return name;
    }

    /** Unlinks every name handed out (a missing one is fine). */
    public void unlinkAll() {
        names.forEach(SharedMemory::unlink);
        names.clear();
    }
}

package io.arrowshm.testing;

import java.util.concurrent.ThreadLocalRandom;

/** Stream names unique to one test run, so tests never meet each other's streams. */
public final class Names {
    private Names() {
    }

    public static String unique(String prefix) {
        return "arrowshm-test-" + prefix + "-" + ProcessHandle.current().pid() + "-"
                + Long.toHexString(ThreadLocalRandom.current().nextLong());
    }
}

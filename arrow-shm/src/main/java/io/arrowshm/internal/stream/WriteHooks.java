package io.arrowshm.internal.stream;

import java.util.function.Consumer;

/**
 * A seam for crash tests: a hook that runs inside every write, after the payload copy and
 * before the publishing store, while the sequence is odd. Tests install it in a child JVM
 * to stop a writer there and kill it. Unset (the normal case) it costs one volatile load.
 */
public final class WriteHooks {
    private static volatile Consumer<String> afterCopy;

    private WriteHooks() {
    }

    /** Installs (or with {@code null} removes) the hook; it receives the stream name. */
    public static void installAfterCopy(Consumer<String> hook) {
        afterCopy = hook;
    }

    public static void afterCopy(String stream) {
        Consumer<String> hook = afterCopy;
        if (hook != null) {
            hook.accept(stream);
        }
    }
}

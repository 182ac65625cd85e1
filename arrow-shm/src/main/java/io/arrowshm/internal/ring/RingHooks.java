package io.arrowshm.internal.ring;

import java.util.function.LongConsumer;

/**
 * A seam for crash tests: a hook that runs inside every ring write after the copy and before
 * the slot's even stamp, with the position being written. Tests install it in a child JVM to
 * stop a writer there and kill it, so a dead writer's odd slot is provoked, not hoped for.
 * Unset (the normal case) it costs one volatile load.
 */
public final class RingHooks {
    private static volatile LongConsumer afterCopy;

    private RingHooks() {
    }

    /** Installs (or with {@code null} removes) the hook. */
    public static void installAfterCopy(LongConsumer hook) {
        afterCopy = hook;
    }

    static void afterCopy(long position) {
        LongConsumer hook = afterCopy;
        if (hook != null) {
            hook.accept(position);
        }
    }
}

package io.arrowshm.internal.posix;

import com.sun.jna.Memory;

/**
 * A native {@code struct timespec} owned by one thread, reused across waits so that parking
 * allocates nothing. Native memory is freed when this object becomes unreachable (JNA's
 * cleaner), which suits its thread-local use.
 */
public final class Timespec {
    private static final ThreadLocal<Timespec> PER_THREAD = ThreadLocal.withInitial(Timespec::new);
    private final Memory memory = new Memory(16);

    private Timespec() {
    }

    public static Timespec forCurrentThread() {
        return PER_THREAD.get();
    }

    void set(long nanos) {
        memory.setLong(0, nanos / 1_000_000_000L);
        memory.setLong(8, nanos % 1_000_000_000L);
    }

    long address() {
        return com.sun.jna.Pointer.nativeValue(memory);
    }
}

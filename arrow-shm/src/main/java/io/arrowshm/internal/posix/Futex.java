package io.arrowshm.internal.posix;

/**
 * Shared (not {@code FUTEX_PRIVATE_FLAG}) futex calls on a 32-bit word in a shared mapping,
 * keyed by the physical page, so processes that map the page at different addresses meet.
 * pyshmem parks on the low 32 bits of {@code write_sequence} this way (spec §4).
 */
public final class Futex {
    private Futex() {
    }

    /** Wakes every waiter on the word at {@code address}. */
    public static void wakeAll(long address) {
        HotCalls.futexWake(address, Integer.MAX_VALUE);
    }

    /**
     * Blocks while the word at {@code address} equals {@code expected}, at most
     * {@code timeoutNanos}. Returns on a wake, a changed word, the timeout or a signal; the
     * caller re-checks its condition in every case.
     */
    public static void await(long address, int expected, long timeoutNanos, Timespec scratch) {
        scratch.set(timeoutNanos);
        HotCalls.futexWait(address, expected, scratch.address());
    }
}

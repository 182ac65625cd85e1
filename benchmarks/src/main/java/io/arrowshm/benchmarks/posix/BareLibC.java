package io.arrowshm.benchmarks.posix;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * The few libc calls the floor measurements make ({@code flock} on a bare descriptor, a shared
 * {@code futex} on a raw segment), bound with JNA direct mapping ({@code Native.register}): the
 * same kind of binding the core uses for its lock and notify, so a floor measured here costs
 * what the same call costs inside the library and the two figures stay comparable. The core's
 * binding is internal to it; benchmarks use public APIs only, hence this copy of what they need.
 */
public final class BareLibC {
    static {
        if (!Platform.isLinux() || !(Platform.isIntel() || Platform.isARM()) || !Platform.is64Bit()) {
            throw new UnsupportedOperationException("the raw floor benchmarks run on Linux x86-64 and aarch64 only");
        }
        Native.register(BareLibC.class, Platform.C_LIBRARY_NAME);
    }

    public static final int O_RDWR = 2;
    public static final int O_CLOEXEC = 02000000;

    public static final int LOCK_EX = 2;
    public static final int LOCK_UN = 8;

    private static final int FUTEX_WAIT = 0;
    private static final int FUTEX_WAKE = 1;
    /** {@code SYS_futex}: 202 on x86-64, 98 on aarch64 (asm-generic). */
    private static final long SYS_FUTEX = Platform.isIntel() ? 202 : 98;

    private BareLibC() {
    }

    public static native int open(String path, int flags, int mode) throws LastErrorException;

    public static native int close(int fd) throws LastErrorException;

    public static native int flock(int fd, int operation) throws LastErrorException;

    /** {@code abs(3)}: no system call, only the call itself (the cheapest native call there is). */
    public static native int abs(int value);

    /** glibc's {@code memcpy}, address to address: the machine's fastest single-thread copy, as NumPy uses. */
    public static native long memcpy(long destination, long source, long bytes);

    /** {@code syscall(2)} with its six register arguments; glibc's version only moves registers. */
    private static native long syscall(long number, long a1, long a2, long a3, long a4, long a5, long a6);

    /**
     * Wakes every waiter on the 32-bit word at {@code address}. Shared (no
     * {@code FUTEX_PRIVATE_FLAG}), so processes that map the page at different addresses meet.
     */
    public static void futexWakeAll(long address) {
        syscall(SYS_FUTEX, address, FUTEX_WAKE, Integer.MAX_VALUE, 0, 0, 0);
    }

    /**
     * Blocks while the word at {@code address} equals {@code expected}, at most the relative
     * timeout in the {@code struct timespec} at {@code timespec}. Returns on a wake, a changed
     * word, the timeout or a signal; the caller re-checks its condition in every case.
     */
    public static void futexWait(long address, int expected, long timespec) {
        syscall(SYS_FUTEX, address, FUTEX_WAIT, expected & 0xFFFFFFFFL, timespec, 0, 0);
    }
}

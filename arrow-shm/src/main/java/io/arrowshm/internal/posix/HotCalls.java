package io.arrowshm.internal.posix;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * The native calls on the lock, notify and copy paths, behind one small API that a multi-release
 * jar can swap: this version binds them through JNA direct mapping ({@link LibC}), the Java 17
 * path; {@code META-INF/versions/22} holds a version of this same class that makes
 * {@code java.lang.foreign} downcalls instead, which JDK 22 and later load from the jar.
 *
 * <p>Every call reports failure as a negative error number ({@code -errno}) rather than an
 * exception, so that the FFM version needs no JNA type and an expected failure (a contended
 * {@code flock}) costs no exception there. Addresses are plain {@code long}s: the callers own
 * native buffers already.
 */
public final class HotCalls {
    /** {@code SYS_fstat}: 5 on x86-64, 80 on aarch64. */
    static final long SYS_FSTAT = Platform.isIntel() ? 5 : 80;
    /** {@code SYS_newfstatat} ({@code fstatat}): 262 on x86-64, 79 on aarch64. */
    static final long SYS_NEWFSTATAT = Platform.isIntel() ? 262 : 79;
    /** {@code AT_FDCWD}: a relative path is resolved against the working directory. */
    static final int AT_FDCWD = -100;
    /** {@code AT_SYMLINK_NOFOLLOW}: describe a symbolic link itself (lstat). */
    static final int AT_SYMLINK_NOFOLLOW = 0x100;

    private HotCalls() {
    }

    /** Which binding this class uses, for tests and diagnostics. */
    public static String implementation() {
        return "JNA direct mapping";
    }

    /** {@code flock(fd, operation)}: 0, or {@code -errno}. */
    public static int flock(int fd, int operation) {
        try {
            return LibC.flock(fd, operation);
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }

    /** {@code FUTEX_WAKE} (shared) on the word at {@code address}: the number woken, or {@code -errno}. */
    public static long futexWake(long address, int waiters) {
        return negativeErrno(LibC.syscall(LibC.SYS_FUTEX, address, LibC.FUTEX_WAKE, waiters, 0, 0, 0));
    }

    /**
     * {@code FUTEX_WAIT} (shared) while the word at {@code address} equals {@code expected}, for at
     * most the relative {@code struct timespec} at {@code timespecAddress}: 0, or {@code -errno}
     * ({@code EAGAIN}: the word differed, {@code ETIMEDOUT}, {@code EINTR}).
     */
    public static long futexWait(long address, int expected, long timespecAddress) {
        return negativeErrno(LibC.syscall(LibC.SYS_FUTEX, address, LibC.FUTEX_WAIT, expected & 0xFFFFFFFFL,
                timespecAddress, 0, 0));
    }

    /** {@code fstat(fd)} into the {@code struct stat} at {@code statAddress}: 0, or {@code -errno}. */
    public static int fstat(int fd, long statAddress) {
        return (int) negativeErrno(LibC.syscall(SYS_FSTAT, fd, statAddress, 0, 0, 0, 0));
    }

    /**
     * {@code lstat} of the NUL-terminated path at {@code pathAddress} ({@code newfstatat} with
     * {@code AT_SYMLINK_NOFOLLOW}) into the {@code struct stat} at {@code statAddress}: 0, or
     * {@code -errno}.
     */
    public static int lstat(long pathAddress, long statAddress) {
        return (int) negativeErrno(LibC.syscall(SYS_NEWFSTATAT, AT_FDCWD, pathAddress, statAddress,
                AT_SYMLINK_NOFOLLOW, 0, 0));
    }

    /**
     * A trivial native call ({@code abs(3)}, no syscall) whose only effect is the native-to-Java
     * transition at which HotSpot delivers a pending asynchronous error (see {@link FaultBarrier}).
     */
    public static void barrier() {
        LibC.abs(0);
    }

    /** {@code memcpy(destination, source, bytes)} between native addresses that do not overlap. */
    public static void memcpy(long destination, long source, long bytes) {
        LibC.memcpy(destination, source, bytes);
    }

    /** {@code syscall(2)} returns -1 and sets {@code errno}; read it before any other native call. */
    private static long negativeErrno(long result) {
        return result == -1 ? -Native.getLastError() : result;
    }
}

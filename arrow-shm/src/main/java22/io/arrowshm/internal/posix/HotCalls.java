package io.arrowshm.internal.posix;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The JDK 22+ version of the hot native calls (the multi-release jar's
 * {@code META-INF/versions/22}): {@code java.lang.foreign} downcalls, which HotSpot compiles
 * into a direct call with no JNI frame, instead of JNA. The API and its results are those of
 * the base version in {@code src/main/java}; only the binding differs.
 *
 * <p>Pointer arguments are declared {@code JAVA_LONG}: on the two supported ABIs (x86-64 System V
 * and AArch64 AAPCS64) a pointer travels in the same register as a 64-bit integer, and a
 * {@code long} needs no {@link MemorySegment} wrapper per call. None of the handles is
 * {@code Linker.Option.critical}: {@code flock} and {@code FUTEX_WAIT} block, {@code memcpy}
 * may run for milliseconds (a critical call holds off every safepoint), and {@link #barrier()}
 * exists only for the thread-state transition that a critical call skips.
 */
@SuppressWarnings("restricted") // the restricted methods are the point: the launch flags enable native access
public final class HotCalls {
    static final long SYS_FSTAT = Arch.X86_64 ? 5 : 80;
    static final long SYS_NEWFSTATAT = Arch.X86_64 ? 262 : 79;
    static final int AT_FDCWD = -100;
    static final int AT_SYMLINK_NOFOLLOW = 0x100;
    private static final long SYS_FUTEX = Arch.X86_64 ? 202 : 98;
    private static final int FUTEX_WAIT = 0;
    private static final int FUTEX_WAKE = 1;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    private static final MethodHandle FLOCK = LINKER.downcallHandle(symbol("flock"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), CAPTURE_ERRNO);
    /** {@code long syscall(long number, ...)}: variadic in C, so declared as such (x86-64 sets {@code %al}). */
    private static final FunctionDescriptor SYSCALL_6 = FunctionDescriptor.of(JAVA_LONG,
            JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle SYSCALL_ERRNO = LINKER.downcallHandle(symbol("syscall"), SYSCALL_6,
            Linker.Option.firstVariadicArg(1), CAPTURE_ERRNO);
    private static final MethodHandle ABS = LINKER.downcallHandle(symbol("abs"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle MEMCPY = LINKER.downcallHandle(symbol("memcpy"),
            FunctionDescriptor.ofVoid(JAVA_LONG, JAVA_LONG, JAVA_LONG));

    /**
     * Where each thread's calls leave {@code errno}: allocated once per thread, so a call
     * allocates nothing. An automatic arena frees it once its thread is gone.
     */
    private static final ThreadLocal<MemorySegment> CALL_STATE_PER_THREAD =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CALL_STATE));

    private HotCalls() {
    }

    /** Which binding this class uses, for tests and diagnostics. */
    public static String implementation() {
        return "FFM (java.lang.foreign)";
    }

    /** {@code flock(fd, operation)}: 0, or {@code -errno}. */
    public static int flock(int fd, int operation) {
        MemorySegment state = CALL_STATE_PER_THREAD.get();
        int result;
        try {
            result = (int) FLOCK.invokeExact(state, fd, operation);
        } catch (Throwable e) {
            throw unchecked(e);
        }
        return result == -1 ? -errno(state) : result;
    }

    /** {@code FUTEX_WAKE} (shared) on the word at {@code address}: the number woken, or {@code -errno}. */
    public static long futexWake(long address, int waiters) {
        return syscallErrno(SYS_FUTEX, address, FUTEX_WAKE, waiters, 0L);
    }

    /**
     * {@code FUTEX_WAIT} (shared) while the word at {@code address} equals {@code expected}, for at
     * most the relative {@code struct timespec} at {@code timespecAddress}: 0, or {@code -errno}
     * ({@code EAGAIN}: the word differed, {@code ETIMEDOUT}, {@code EINTR}).
     */
    public static long futexWait(long address, int expected, long timespecAddress) {
        return syscallErrno(SYS_FUTEX, address, FUTEX_WAIT, expected & 0xFFFFFFFFL, timespecAddress);
    }

    /** {@code fstat(fd)} into the {@code struct stat} at {@code statAddress}: 0, or {@code -errno}. */
    public static int fstat(int fd, long statAddress) {
        return (int) syscallErrno(SYS_FSTAT, fd, statAddress, 0L, 0L);
    }

    /**
     * {@code lstat} of the NUL-terminated path at {@code pathAddress} ({@code newfstatat} with
     * {@code AT_SYMLINK_NOFOLLOW}) into the {@code struct stat} at {@code statAddress}: 0, or
     * {@code -errno}.
     */
    public static int lstat(long pathAddress, long statAddress) {
        return (int) syscallErrno(SYS_NEWFSTATAT, AT_FDCWD, pathAddress, statAddress, AT_SYMLINK_NOFOLLOW);
    }

    /**
     * A trivial native call ({@code abs(3)}, no syscall) whose only effect is the native-to-Java
     * transition at which HotSpot delivers a pending asynchronous error (see {@link FaultBarrier}).
     * That error must reach the caller as it is, hence {@link #unchecked}.
     */
    public static void barrier() {
        try {
            int ignored = (int) ABS.invokeExact(0);
        } catch (Throwable e) {
            throw unchecked(e);
        }
    }

    /** {@code memcpy(destination, source, bytes)} between native addresses that do not overlap. */
    public static void memcpy(long destination, long source, long bytes) {
        try {
            MEMCPY.invokeExact(destination, source, bytes);
        } catch (Throwable e) {
            throw unchecked(e);
        }
    }

    private static long syscallErrno(long number, long a1, long a2, long a3, long a4) {
        MemorySegment state = CALL_STATE_PER_THREAD.get();
        long result;
        try {
            result = (long) SYSCALL_ERRNO.invokeExact(state, number, a1, a2, a3, a4, 0L, 0L);
        } catch (Throwable e) {
            throw unchecked(e);
        }
        return result == -1 ? -errno(state) : result;
    }

    private static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    /**
     * A downcall declares {@code Throwable} but throws only unchecked errors: an
     * {@link InternalError} that HotSpot delivers at the transition (a SIGBUS on a truncated
     * mapping), or a linkage error. They reach the caller unchanged, as they do through JNA.
     */
    private static RuntimeException unchecked(Throwable e) {
        if (e instanceof RuntimeException runtime) {
            throw runtime;
        }
        if (e instanceof Error error) {
            throw error;
        }
        throw new IllegalStateException("unexpected checked exception from a native call", e);
    }

    private static MemorySegment symbol(String name) {
        return LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsupportedOperationException("libc has no " + name + " here"));
    }

    /** The two supported platforms; anything else fails earlier, in {@link LibC}'s checks. */
    private static final class Arch {
        static final boolean X86_64 = !"aarch64".equals(System.getProperty("os.arch"));
    }
}

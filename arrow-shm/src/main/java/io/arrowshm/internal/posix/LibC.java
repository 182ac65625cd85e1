package io.arrowshm.internal.posix;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * The libc calls arrow-shm needs, bound with JNA direct mapping ({@code Native.register}):
 * about ten times cheaper per call than interface mapping, which matters for {@code flock}
 * and {@code futex} on the write path.
 *
 * <p>Constants are the Linux values shared by x86-64 and aarch64 (the two supported
 * platforms); the few that differ between them are chosen at class load.
 */
public final class LibC {
    static {
        if (!Platform.isLinux() || !(Platform.isIntel() || Platform.isARM()) || !Platform.is64Bit()) {
            throw new UnsupportedOperationException(
                    "arrow-shm supports Linux on x86-64 and aarch64 only; this is "
                            + System.getProperty("os.name") + " on " + System.getProperty("os.arch"));
        }
        Native.register(LibC.class, Platform.C_LIBRARY_NAME);
    }

    public static final int O_RDONLY = 0;
    public static final int O_RDWR = 2;
    public static final int O_CREAT = 0100;
    public static final int O_EXCL = 0200;
    public static final int O_APPEND = 02000;
    /** Never block in open(2) itself (a FIFO or device planted at a segment name). */
    public static final int O_NONBLOCK = 04000;
    public static final int O_CLOEXEC = 02000000;
    /** Fail with ELOOP when the last path component is a symbolic link: 0400000 on x86-64, 0100000 on aarch64. */
    public static final int O_NOFOLLOW = Platform.isIntel() ? 0400000 : 0100000;
    /** Fail with ENOTDIR unless the path is a directory: 0200000 on x86-64, 040000 on aarch64. */
    public static final int O_DIRECTORY = Platform.isIntel() ? 0200000 : 040000;

    public static final int PROT_READ = 1;
    public static final int PROT_WRITE = 2;
    public static final int MAP_SHARED = 1;
    public static final long MAP_FAILED = -1L;

    public static final int SEEK_END = 2;

    /** {@code madvise} advice: back the range with transparent huge pages where the kernel allows. */
    public static final int MADV_HUGEPAGE = 14;

    public static final int LOCK_EX = 2;
    public static final int LOCK_NB = 4;
    public static final int LOCK_UN = 8;

    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int ENXIO = 6;
    public static final int EAGAIN = 11;
    public static final int EEXIST = 17;
    public static final int ENOTDIR = 20;
    public static final int ENOSPC = 28;
    public static final int ELOOP = 40;
    public static final int EOPNOTSUPP = 95;

    public static final int FUTEX_WAIT = 0;
    public static final int FUTEX_WAKE = 1;
    /** {@code SYS_futex}: 202 on x86-64, 98 on aarch64 (asm-generic). */
    public static final long SYS_FUTEX = Platform.isIntel() ? 202 : 98;

    private LibC() {
    }

    public static native int open(String path, int flags, int mode) throws LastErrorException;

    /** {@code open} relative to a directory descriptor, so a swapped directory cannot redirect it. */
    public static native int openat(int directoryFd, String path, int flags, int mode) throws LastErrorException;

    public static native int close(int fd) throws LastErrorException;

    public static native int mkdir(String path, int mode) throws LastErrorException;

    public static native int fchmod(int fd, int mode) throws LastErrorException;

    public static native int ftruncate(int fd, long length) throws LastErrorException;

    /** Returns 0 or an error number; it does not set {@code errno}. */
    public static native int posix_fallocate(int fd, long offset, long length);

    public static native long lseek(int fd, long offset, int whence) throws LastErrorException;

    public static native long mmap(long address, long length, int prot, int flags, int fd, long offset)
            throws LastErrorException;

    public static native int munmap(long address, long length) throws LastErrorException;

    /** Returns 0, or -1 with errno set (not raised: advice is optional). */
    public static native int madvise(long address, long length, int advice);

    public static native int flock(int fd, int operation) throws LastErrorException;

    public static native int getuid();

    /** The effective uid: the owner of every file this process creates, and the one we trust. */
    public static native int geteuid();

    public static native int kill(int pid, int signal) throws LastErrorException;

    /**
     * {@code syscall(2)} with its six register arguments. glibc implements it in assembly
     * that only moves registers, so a fixed-arity binding is safe on both platforms.
     */
    public static native long syscall(long number, long a1, long a2, long a3, long a4, long a5, long a6);

    /** {@code abs(3)}: no syscall, used only as a cheap native transition (see {@link FaultBarrier}). */
    public static native int abs(int value);

    /** {@code memcpy(3)} between native addresses; the result (the destination) is of no use. */
    public static native long memcpy(long destination, long source, long bytes);

    /** The message {@code strerror} gives for an error number, for error texts. */
    public static native String strerror(int errno);
}

package io.arrowshm.internal.posix;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.nio.charset.StandardCharsets;

/**
 * The kernel's {@code struct stat}, filled by the raw {@code fstat}/{@code newfstatat}
 * system calls ({@link HotCalls}): glibc before 2.33 exports no {@code fstat} symbol (only {@code __fxstat}),
 * so the syscall is the one binding that works everywhere. Every offset lives here.
 *
 * <p>Each thread reuses one native buffer, so a check allocates nothing. The accessors
 * describe the last call made on this thread; read them before the next one.
 */
public final class FileStat {
    private static final boolean X86_64 = Platform.isIntel();

    /** Bytes of {@code struct stat}: 144 on x86-64, 128 on aarch64 (asm-generic). */
    static final int SIZE = X86_64 ? 144 : 128;
    /** u64 {@code st_dev}, the device holding the file. */
    static final int DEV_OFFSET = 0;
    /** u64 {@code st_ino}, the inode number. */
    static final int INO_OFFSET = 8;
    /** {@code st_nlink}, hard links: u64 at 16 on x86-64, u32 at 20 on aarch64. */
    static final int NLINK_OFFSET = X86_64 ? 16 : 20;
    /** u32 {@code st_mode}, type and permission bits: 24 on x86-64, 16 on aarch64. */
    static final int MODE_OFFSET = X86_64 ? 24 : 16;
    /** u32 {@code st_uid}, the owner: 28 on x86-64, 24 on aarch64. */
    static final int UID_OFFSET = X86_64 ? 28 : 24;
    /** Longest path {@link #ofLink} accepts ({@code PATH_MAX}, with its NUL). */
    private static final int PATH_MAX = 4096;

    /** {@code S_IFMT}: the type bits of {@code st_mode}. */
    public static final int S_IFMT = 0170000;
    public static final int S_IFREG = 0100000;
    public static final int S_IFDIR = 0040000;
    public static final int S_IFLNK = 0120000;
    public static final int S_IFIFO = 0010000;
    public static final int S_IFSOCK = 0140000;
    public static final int S_IFCHR = 0020000;
    public static final int S_IFBLK = 0060000;

    private static final ThreadLocal<FileStat> PER_THREAD = ThreadLocal.withInitial(FileStat::new);
    /** {@code struct stat} at 0, then room for a NUL-terminated path. */
    private final Memory buffer = new Memory(SIZE + PATH_MAX);
    private final long address = Pointer.nativeValue(buffer);
    /** The path whose bytes follow the struct in {@link #buffer} (compared by identity). */
    private String encodedPath;

    private FileStat() {
    }

    /**
     * {@code fstat(fd)} into this thread's buffer.
     *
     * @throws LastErrorException when the call fails (a closed descriptor: EBADF)
     */
    public static FileStat ofDescriptor(int fd) {
        FileStat stat = PER_THREAD.get();
        int result = HotCalls.fstat(fd, stat.address);
        if (result != 0) {
            throw new LastErrorException(-result);
        }
        return stat;
    }

    /**
     * {@code lstat(path)}: the file the name points to, a symbolic link itself rather than
     * its target.
     *
     * @return this thread's buffer, or {@code null} when nothing has that name
     * @throws LastErrorException when the call fails otherwise
     */
    public static FileStat ofLink(String path) {
        FileStat stat = PER_THREAD.get();
        if (path != stat.encodedPath) { // LockFile asks about the same String on every acquisition
            byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
            if (bytes.length >= PATH_MAX) {
                throw new IllegalArgumentException("path longer than PATH_MAX: " + path);
            }
            stat.buffer.write(SIZE, bytes, 0, bytes.length);
            stat.buffer.setByte(SIZE + bytes.length, (byte) 0);
            stat.encodedPath = path;
        }
        int result = HotCalls.lstat(stat.address + SIZE, stat.address);
        if (result != 0) {
            int errno = -result;
            if (errno == LibC.ENOENT || errno == LibC.ENOTDIR) {
                return null;
            }
            throw new LastErrorException(errno);
        }
        return stat;
    }

    public long device() {
        return buffer.getLong(DEV_OFFSET);
    }

    public long inode() {
        return buffer.getLong(INO_OFFSET);
    }

    public long linkCount() {
        return X86_64 ? buffer.getLong(NLINK_OFFSET) : buffer.getInt(NLINK_OFFSET) & 0xFFFFFFFFL;
    }

    /** Type and permission bits. */
    public int mode() {
        return buffer.getInt(MODE_OFFSET);
    }

    public int uid() {
        return buffer.getInt(UID_OFFSET);
    }

    public boolean isRegularFile() {
        return (mode() & S_IFMT) == S_IFREG;
    }

    public boolean isDirectory() {
        return (mode() & S_IFMT) == S_IFDIR;
    }

    /** Whether this is the file {@code device}/{@code inode} name. */
    public boolean isSameFile(long device, long inode) {
        return device() == device && inode() == inode;
    }

    /** What kind of file this is, for error messages: "a FIFO", "a symbolic link", ... */
    public String kind() {
        switch (mode() & S_IFMT) {
            case S_IFREG:
                return "a regular file";
            case S_IFDIR:
                return "a directory";
            case S_IFLNK:
                return "a symbolic link";
            case S_IFIFO:
                return "a FIFO";
            case S_IFSOCK:
                return "a socket";
            case S_IFCHR:
                return "a character device";
            case S_IFBLK:
                return "a block device";
            default:
                return "a file of unknown type (mode " + Integer.toOctalString(mode()) + ")";
        }
    }
}

package io.arrowshm.internal.posix;

import com.sun.jna.LastErrorException;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One {@code mmap} of a shared-memory file. It owns the address range: {@link #close()}
 * unmaps it exactly once, and nothing may touch the memory afterwards (owners make sure of
 * that: the payload through Arrow's reference count, the metadata through the handle's
 * use counter).
 */
public final class Mapping implements AutoCloseable {
    private final long address;
    private final long length;
    private final boolean writable;
    private final long device;
    private final long inode;
    private final AtomicBoolean unmapped = new AtomicBoolean();

    Mapping(long address, long length, boolean writable, long device, long inode) {
        this.address = address;
        this.length = length;
        this.writable = writable;
        this.device = device;
        this.inode = inode;
    }

    public long address() {
        return address;
    }

    public long length() {
        return length;
    }

    public boolean writable() {
        return writable;
    }

    /** {@code st_dev} of the mapped file: with {@link #inode()}, which file this is (see {@link Segments#stillNames}). */
    public long device() {
        return device;
    }

    /** {@code st_ino} of the mapped file. */
    public long inode() {
        return inode;
    }

    /**
     * A little-endian direct buffer over {@code [offset, offset + size)}. JNA builds it with
     * JNI {@code NewDirectByteBuffer}, so no JDK internals are opened for it; it is valid only
     * while this mapping is.
     */
    public ByteBuffer byteBuffer(long offset, int size) {
        if (offset < 0 || size < 0 || offset + size > length) {
            throw new IndexOutOfBoundsException("window [" + offset + ", " + (offset + size)
                    + ") outside a mapping of " + length + " bytes");
        }
        ByteBuffer buffer = new Pointer(address).getByteBuffer(offset, size).order(ByteOrder.LITTLE_ENDIAN);
        return writable ? buffer : buffer.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public void close() {
        if (unmapped.compareAndSet(false, true) && length > 0) {
            try {
                LibC.munmap(address, length);
            } catch (LastErrorException e) {
                throw new IllegalStateException("munmap of " + length + " bytes failed: " + e.getMessage(), e);
            }
        }
    }
}

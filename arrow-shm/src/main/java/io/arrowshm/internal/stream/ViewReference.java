package io.arrowshm.internal.stream;

import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.OwnershipTransferResult;
import org.apache.arrow.memory.ReferenceManager;

/**
 * The reference count of one view handed to a caller. It owns exactly one reference of the
 * payload's ledger, taken by {@link PayloadMapping#view()}, and gives it back when its own
 * count reaches zero. Slices of the view share this count, as Arrow's derived buffers do.
 * Releasing past zero does nothing: closing a view twice is harmless, and the ledger's
 * count, which also holds the handle's reference, can never be driven down by a caller.
 */
final class ViewReference implements ReferenceManager {
    private final ArrowBuf backing;
    private int count = 1;

    ViewReference(ArrowBuf backing) {
        this.backing = backing;
    }

    ArrowBuf whole() {
        return new ArrowBuf(this, null, backing.capacity(), backing.memoryAddress());
    }

    @Override
    public synchronized int getRefCount() {
        return count;
    }

    @Override
    public boolean release() {
        return release(1);
    }

    @Override
    public boolean release(int decrement) {
        if (decrement < 1) {
            throw new IllegalArgumentException("decrement must be positive, got " + decrement);
        }
        synchronized (this) {
            if (count == 0) {
                return false; // already given back: a second close is harmless
            }
            count = Math.max(0, count - decrement);
            if (count > 0) {
                return false;
            }
        }
        backing.getReferenceManager().release();
        return true;
    }

    @Override
    public void retain() {
        retain(1);
    }

    @Override
    public synchronized void retain(int increment) {
        if (increment < 1) {
            throw new IllegalArgumentException("increment must be positive, got " + increment);
        }
        if (count == 0) {
            throw new IllegalStateException("cannot retain a shared-memory view that was already closed");
        }
        count += increment;
    }

    @Override
    public ArrowBuf retain(ArrowBuf srcBuffer, BufferAllocator targetAllocator) {
        retain();
        return deriveBuffer(srcBuffer, 0, srcBuffer.capacity());
    }

    @Override
    public ArrowBuf deriveBuffer(ArrowBuf sourceBuffer, long index, long length) {
        return new ArrowBuf(this, null, length, sourceBuffer.memoryAddress() + index);
    }

    @Override
    public OwnershipTransferResult transferOwnership(ArrowBuf sourceBuffer, BufferAllocator targetAllocator) {
        throw new UnsupportedOperationException("a shared-memory view belongs to its mapping and cannot move to"
                + " another allocator; copy it (SharedMemory.read(allocator)) instead");
    }

    @Override
    public BufferAllocator getAllocator() {
        return backing.getReferenceManager().getAllocator();
    }

    @Override
    public long getSize() {
        return backing.capacity();
    }

    @Override
    public long getAccountedSize() {
        return 0; // the mapping is accounted once, by the handle's ledger
    }
}

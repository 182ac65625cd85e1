package io.arrowshm;

import java.util.List;

/**
 * The write locks of several streams, taken by {@link SharedMemory#lockedMany} in sorted-name
 * order; closing releases them in reverse.
 */
public final class MultiLock implements AutoCloseable {
    private final List<SharedMemory> acquired;
    private boolean released;

    MultiLock(List<SharedMemory> acquired) {
        this.acquired = acquired;
    }

    /** The handles in the order the caller passed them. */
    public List<SharedMemory> handles() {
        return acquired;
    }

    @Override
    public void close() {
        if (released) {
            return;
        }
        released = true;
        SharedMemory.releaseInReverse(SharedMemory.sortedByName(acquired), acquired.size());
    }
}

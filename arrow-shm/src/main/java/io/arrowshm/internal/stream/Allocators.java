package io.arrowshm.internal.stream;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * The library's own root allocator: it wraps every payload mapping (so Arrow's reference
 * count decides when to unmap) and, unless a caller passes its own, allocates read copies.
 * It lives as long as the JVM; buffers it hands out are the caller's to close.
 */
public final class Allocators {
    private Allocators() {
    }

    private static final class Holder {
        static final BufferAllocator ROOT = new RootAllocator();
    }

    public static BufferAllocator root() {
        return Holder.ROOT;
    }
}

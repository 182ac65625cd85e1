package io.arrowshm.internal.stream;

import io.arrowshm.WaitStrategy;
import io.arrowshm.internal.format.StreamDescriptor;
import io.arrowshm.internal.format.StreamNames;
import io.arrowshm.internal.posix.LockFile;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.arrow.memory.BufferAllocator;

/**
 * The parts of one open handle, assembled from what {@link Lifecycle} attached: the live
 * header, the writer, the reader, the guard that counts operations, and the allocator for
 * read copies. It owns the attached resources; they are released exactly once, when the
 * handle is closed and its last operation, lock level and write view are gone.
 *
 * <p>Read copies come from a child allocator of the handle's own (unless the caller gave
 * one), closed with the handle: a copy still open then is reported as Arrow reports leaks.
 */
public final class StreamParts {
    private static final AtomicLong HANDLES = new AtomicLong();

    private final StreamNames names;
    private final StreamDescriptor descriptor;
    private final boolean owner;
    private final boolean readOnly;
    private final OperationGuard guard;
    private final LiveHeader header;
    private final StreamWriter writer;
    private final StreamReader reader;
    private final SeqlockReader seqlock;
    /** The handle's own child allocator, or null when the caller gave one. */
    private final BufferAllocator allocator;
    private final BufferAllocator readAllocator;
    private final ReadCursor cursor;
    /** A GPU stream's device seam (attached device or CPU-only rules), null for a CPU stream. */
    private final DeviceLink device;
    private volatile IllegalStateException leak;

    public StreamParts(Attached attached, WaitStrategy strategy, BufferAllocator callerAllocator) {
        this.names = attached.names();
        this.descriptor = attached.descriptor();
        this.owner = attached.owner();
        this.readOnly = attached.readOnly();
        String name = names.name();
        PayloadMapping payload = new PayloadMapping(attached.payload(), descriptor.size());
        this.allocator = callerAllocator != null ? null
                : Allocators.root().newChildAllocator("arrow-shm '" + name + "' #" + HANDLES.incrementAndGet(), 0,
                        Long.MAX_VALUE);
        LockFile lock = attached.lock();
        this.guard = new OperationGuard(name, () -> release(attached, payload));
        HeaderWords words = HeaderWords.over(attached.metadata(), descriptor.version());
        long futex = descriptor.notifyFlag() ? words.futexAddress() : 0;
        PayloadCodec codec = new PayloadCodec(attached.payload(), descriptor.size(), descriptor.dtype().javaArrayType());
        SeqlockWriter seqlockWriter = new SeqlockWriter(words);
        this.device = descriptor.gpuEnabled() ? DeviceLink.of(name, descriptor, attached.device(), payload) : null;
        this.seqlock = new SeqlockReader(words, strategy, futex,
                new DeadWriterCheck(words, seqlockWriter, lock, readOnly, name), guard, name);
        this.header = new LiveHeader(words, guard);
        this.writer = new StreamWriter(name, words, seqlockWriter, lock, codec, payload, guard, futex, readOnly,
                device);
        this.reader = new StreamReader(name, words, seqlock, codec, payload, guard, device);
        this.cursor = new ReadCursor(words.count());
        this.readAllocator = callerAllocator != null ? callerAllocator : allocator;
    }

    private void release(Attached attached, PayloadMapping payload) {
        try {
            attached.metadata().close();
        } finally {
            if (device != null) {
                device.release();
            }
            payload.release();
            attached.lock().releaseReference();
            if (allocator != null) {
                try {
                    allocator.close();
                } catch (IllegalStateException outstanding) {
                    leak = outstanding; // reported by close() when it ran there; buffers stay usable
                }
            }
        }
    }

    public StreamNames names() {
        return names;
    }

    public StreamDescriptor descriptor() {
        return descriptor;
    }

    public boolean owner() {
        return owner;
    }

    public boolean readOnly() {
        return readOnly;
    }

    public OperationGuard guard() {
        return guard;
    }

    public LiveHeader header() {
        return header;
    }

    public StreamWriter writer() {
        return writer;
    }

    public StreamReader reader() {
        return reader;
    }

    /** The GPU stream's device seam, or null for a CPU stream. */
    public DeviceLink device() {
        return device;
    }

    public boolean notifying() {
        return seqlock.notifying();
    }

    /** The allocator read copies come from when the caller names none. */
    public BufferAllocator readAllocator() {
        return readAllocator;
    }

    /** The handle's own cursor (pyshmem's per-handle counters); meant for one reading thread. */
    public ReadCursor cursor() {
        return cursor;
    }

    /** Arrow's report of read copies still open when the handle's allocator closed, once; else null. */
    public IllegalStateException takeLeak() {
        IllegalStateException reported = leak;
        leak = null;
        return reported;
    }
}

package io.arrowshm;

import io.arrowshm.internal.format.MetadataLayout;
import io.arrowshm.internal.format.StreamDescriptor;
import io.arrowshm.internal.format.StreamNames;
import io.arrowshm.internal.posix.FaultBarrier;
import io.arrowshm.internal.posix.Futex;
import io.arrowshm.internal.posix.HugePages;
import io.arrowshm.internal.posix.LockFile;
import io.arrowshm.internal.posix.Mapping;
import io.arrowshm.internal.posix.Processes;
import io.arrowshm.internal.stream.Allocators;
import io.arrowshm.internal.stream.Attached;
import io.arrowshm.internal.stream.HeaderWords;
import io.arrowshm.internal.stream.Lifecycle;
import io.arrowshm.internal.stream.PayloadCopier;
import io.arrowshm.internal.stream.Seqlock;
import io.arrowshm.internal.stream.UseCounter;
import io.arrowshm.internal.stream.Waiter;
import io.arrowshm.internal.stream.WallClock;
import io.arrowshm.internal.stream.WriteHooks;
import io.arrowshm.spi.GpuSupport;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.function.Function;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.ForeignAllocation;

/**
 * A handle on a named shared-memory stream: one C-order tensor that processes publish and
 * read on one host, byte-compatible with pyshmem 1.4.0 (a Python process with
 * {@code pyshmem.open(name)} sees the same stream).
 *
 * <p>Writers take a cross-process write lock ({@code flock} on pyshmem's lock file) and
 * publish through a seqlock; readers copy without the lock and retry when a write overlapped,
 * so a read is always one complete publication. A writer that dies mid-write leaves the
 * stream inconsistent until the next complete write: reads then raise
 * {@link InconsistentStreamException}, never a torn frame.
 *
 * <pre>{@code
 * try (SharedMemory shm = SharedMemory.create("frames", DType.FLOAT32, 2, 3)) {
 *     shm.write(new float[] {1, 2, 3, 4, 5, 6});
 *     try (SharedMemory reader = SharedMemory.open("frames")) {
 *         float[] frame = new float[6];
 *         reader.readInto(frame);                 // {1, 2, 3, 4, 5, 6}
 *     }
 *     shm.unlink();
 * }
 * }</pre>
 *
 * <p>Ownership: the handle owns its mappings and its reference to the lock file;
 * {@link #close()} releases them. The payload mapping is reference-counted through Arrow:
 * buffers from {@link #buffer()} keep it mapped until they are closed too, so no view ever
 * outlives its memory. A handle is safe to share between threads; the missed-write counters
 * are per handle and meant for one reading thread.
 */
public final class SharedMemory implements AutoCloseable {
    private static final long FOREVER = Long.MAX_VALUE;
    /** How long a waiting reader believes a live owner PID before asking the lock itself. */
    private static final long ABANDON_PID_TRUST_NANOS = 1_000_000_000L;
    /** Python orders str by code point; String.compareTo orders by UTF-16 unit, which differs above U+FFFF. */
    static final Comparator<String> CODE_POINT_ORDER = (a, b) -> Arrays.compare(a.codePoints().toArray(),
            b.codePoints().toArray());

    private final StreamNames names;
    private final StreamDescriptor descriptor;
    private final boolean owner;
    private final boolean readOnly;
    private final boolean autoUnlink;
    private final Mapping metadata;
    private final HeaderWords words;
    private final Seqlock seqlock;
    private final ArrowBuf payload;
    private final PayloadCopier copier;
    private final LockFile lock;
    private final UseCounter uses;
    private final Waiter waiter;
    private final BufferAllocator readAllocator;
    private final LockScope lockScope = new LockScope();
    private volatile int heldDepth;
    private volatile int openViews;
    private long lastReadCount;
    private long missedWrites;
    private long totalMissedWrites;

    private SharedMemory(Attached attached, boolean autoUnlink, WaitStrategy strategy, BufferAllocator allocator) {
        this.names = attached.names();
        this.descriptor = attached.descriptor();
        this.owner = attached.owner();
        this.readOnly = attached.readOnly();
        this.autoUnlink = autoUnlink;
        this.metadata = attached.metadata();
        this.lock = attached.lock();
        this.words = HeaderWords.over(metadata, descriptor.version());
        this.seqlock = new Seqlock(words);
        Mapping data = attached.payload();
        this.copier = new PayloadCopier(data, descriptor.size(), descriptor.dtype().javaArrayType());
        this.payload = Allocators.root().wrapForeignAllocation(new ForeignAllocation(descriptor.size(), data.address()) {
            @Override
            protected void release0() {
                data.close();
            }
        });
        boolean notify = descriptor.notifyFlag() && words.futexAddress() != 0;
        this.waiter = new Waiter(strategy, notify ? words.futexAddress() : 0);
        this.readAllocator = allocator != null ? allocator : Allocators.root();
        this.uses = new UseCounter(this::releaseResources);
        this.lastReadCount = words.count();
    }

    // ------------------------------------------------------------------ lifecycle

    /**
     * Creates a new stream; the returned handle is its {@link #owner()}.
     *
     * <pre>{@code
     * try (SharedMemory shm = SharedMemory.create("frames", CreateOptions.of(DType.UINT8, 480, 640, 3))) {
     *     shm.write(new byte[480 * 640 * 3]);
     * }
     * }</pre>
     *
     * @throws StreamExistsException when the name is taken
     * @throws IllegalArgumentException for a blank or over-long name, a bad shape or size
     */
    public static SharedMemory create(String name, CreateOptions options) {
        StreamNames names = StreamNames.of(name);
        long[] shape = options.shape();
        long size = checkedSize(options.dtype(), shape);
        if (options.size().isPresent() && options.size().get() != size) {
            throw new IllegalArgumentException("size does not match shape and dtype: expected " + size + ", got "
                    + options.size().get());
        }
        if (options.gpuDevice().isPresent()) {
            throw new UnsupportedOperationException("GPU streams need the arrow-shm gpu module on the class path ("
                    + "requested " + options.gpuDevice().get() + " for '" + name + "'); create a CPU stream instead");
        }
        int flags = MetadataLayout.FLAG_CPU_MIRROR | (options.notifyEnabled() ? MetadataLayout.FLAG_NOTIFY : 0);
        Attached attached = Lifecycle.create(names, options.dtype(), shape, size, flags);
        return new SharedMemory(attached, options.autoUnlinkEnabled(), options.waitStrategy(),
                options.allocator().orElse(null));
    }

    /**
     * Creates a new stream of {@code dtype} with dimensions {@code shape}.
     *
     * <pre>{@code
     * SharedMemory shm = SharedMemory.create("frames", DType.FLOAT32, 128, 128);
     * }</pre>
     */
    public static SharedMemory create(String name, DType dtype, long... shape) {
        return create(name, CreateOptions.of(dtype, shape));
    }

    /**
     * Attaches an existing stream, Java- or pyshmem-created (v3, or legacy v2 metadata).
     *
     * @throws StreamNotFoundException when it does not exist
     * @throws InvalidMetadataException when its metadata fails validation (the exception names the field)
     */
    public static SharedMemory open(String name) {
        return open(name, OpenOptions.defaults());
    }

    /**
     * Attaches an existing stream with options, e.g. read-only.
     *
     * <pre>{@code
     * try (SharedMemory shm = SharedMemory.open("frames", OpenOptions.readOnly())) {
     *     System.out.println(shm.count());
     * }
     * }</pre>
     */
    public static SharedMemory open(String name, OpenOptions options) {
        StreamNames names = StreamNames.of(name);
        if (options.gpuDevice().isPresent()) {
            throw new UnsupportedOperationException("attaching '" + name + "' on " + options.gpuDevice().get()
                    + " needs the arrow-shm gpu module on the class path");
        }
        Attached attached = Lifecycle.open(names, options.isReadOnly());
        StreamDescriptor descriptor = attached.descriptor();
        if (descriptor.gpuEnabled() && !descriptor.cpuMirror()) {
            attached.metadata().close();
            attached.payload().close();
            attached.lock().releaseReference();
            throw new SharedMemoryException("'" + name + "' is a GPU stream on cuda:" + descriptor.deviceIndex()
                    + " without a CPU mirror; attach it with the arrow-shm gpu module"
                    + " (OpenOptions.gpuDevice(\"cuda:" + descriptor.deviceIndex() + "\")) or recreate it with a mirror");
        }
        return new SharedMemory(attached, false, options.waitStrategy(), options.allocator().orElse(null));
    }

    /** Removes the stream's segments, whichever generation holds the name; silent when absent. */
    public static void unlink(String name) {
        Lifecycle.unlink(StreamNames.of(name), null);
    }

    /** Whether GPU streams can be created and attached here: the gpu module is present and sees a device. */
    public static boolean gpuAvailable() {
        try {
            return ServiceLoader.load(GpuSupport.class).findFirst().map(GpuSupport::available).orElse(false);
        } catch (LinkageError | RuntimeException e) {
            return false;
        }
    }

    /**
     * Closes this handle (idempotent): releases the write lock levels this thread holds
     * through it, and unmaps once no operation is in flight and no {@link #buffer()} view is
     * open. The stream itself stays; see {@link #unlink()}.
     *
     * @throws IllegalStateException when another thread holds the write lock through this handle
     */
    @Override
    public void close() {
        if (uses.closed()) {
            return;
        }
        if (openViews > 0) {
            throw new IllegalStateException("cannot close shared memory '" + name() + "' while a write view is open;"
                    + " publish or close the WriteView first");
        }
        if (heldDepth > 0) {
            if (!lock.heldByCurrentThread()) {
                throw new IllegalStateException("cannot close shared memory '" + name()
                        + "' while another thread holds its write lock; release it there first");
            }
            while (heldDepth > 0) {
                try {
                    release();
                } catch (SharedMemoryException brokenHeader) {
                    // The lock itself is released; a truncated header cannot record it. Close anyway.
                }
            }
        }
        // Hold a use across the wake: closing with nothing else in flight unmaps at once, and
        // the futex word lives in that mapping.
        if (!uses.enter()) {
            return; // another thread closed it meanwhile
        }
        boolean closedHere;
        try {
            closedHere = uses.close();
            if (closedHere && waiter.notifying()) {
                Futex.wakeAll(words.futexAddress()); // blocked readers of this handle see the close
            }
        } finally {
            uses.exit(); // the last use out unmaps
        }
        if (closedHere && autoUnlink && owner) {
            try {
                Lifecycle.unlink(names, descriptor.instanceId());
            } catch (StaleStreamException alreadyReplaced) {
                // Our generation is gone already; the name now belongs to someone else's stream.
            }
        }
    }

    /**
     * Closes this handle and removes the stream it opened.
     *
     * @throws StaleStreamException when the name now holds a newer generation (created after this handle opened)
     * @throws ReadOnlyStreamException on a read-only handle
     */
    public void unlink() {
        refuseIfReadOnly("unlink");
        close();
        if (!(autoUnlink && owner)) {
            Lifecycle.unlink(names, descriptor.instanceId());
        }
    }

    /** Alias of {@link #unlink()}, as in pyshmem. */
    public void delete() {
        unlink();
    }

    private void releaseResources() {
        try {
            metadata.close();
        } finally {
            payload.close();
            lock.releaseReference();
        }
    }

    // ------------------------------------------------------------------ description

    public String name() {
        return names.name();
    }

    /** The dimensions (a copy). */
    public long[] shape() {
        return descriptor.shape().clone();
    }

    public DType dtype() {
        return descriptor.dtype();
    }

    /** Payload bytes: prod(shape) * itemsize. */
    public long size() {
        return descriptor.size();
    }

    /** Whether this handle created the stream. */
    public boolean owner() {
        return owner;
    }

    public boolean readOnly() {
        return readOnly;
    }

    /** Whether the stream is CUDA-backed (this handle then reads its CPU mirror). */
    public boolean gpuEnabled() {
        return descriptor.gpuEnabled();
    }

    /** The device this handle attached, empty for CPU access (also for a GPU stream read through its mirror). */
    public Optional<String> gpuDevice() {
        return Optional.empty();
    }

    public boolean cpuMirror() {
        return descriptor.cpuMirror();
    }

    /** Whether writers and this handle's waits use futex notification (stored flag and platform support). */
    public boolean notifyEnabled() {
        return waiter.notifying();
    }

    /** The generation id as 32 hex digits; empty for streams without one (legacy v2). */
    public Optional<String> instanceId() {
        byte[] id = descriptor.instanceId();
        return id == null ? Optional.empty() : Optional.of(HexFormat.of().formatHex(id));
    }

    /** PID of the process that created the stream. */
    public long creatorPid() {
        return descriptor.creatorPid();
    }

    /** The metadata layout version: 3, or 2 for a legacy stream. */
    public int metadataVersion() {
        return descriptor.version();
    }

    // ------------------------------------------------------------------ live counters

    /** Completed publications since the stream was created. */
    public long count() {
        enter("read count from");
        try {
            long value = words.count();
            FaultBarrier.deliverPending();
            return value;
        } catch (InternalError e) {
            throw payloadFault(e, "read count from");
        } finally {
            uses.exit();
        }
    }

    /** Epoch seconds of the last completed write; 0.0 before the first. */
    public double writeTime() {
        enter("read write_time from");
        try {
            double value = words.writeTime();
            FaultBarrier.deliverPending();
            return value;
        } catch (InternalError e) {
            throw payloadFault(e, "read write_time from");
        } finally {
            uses.exit();
        }
    }

    /** The seqlock word: even when stable, odd while a write runs, negative after a failed write. */
    public long writeSequence() {
        enter("read write_sequence from");
        try {
            long value = seqlock.sequence();
            FaultBarrier.deliverPending();
            return value;
        } catch (InternalError e) {
            throw payloadFault(e, "read write_sequence from");
        } finally {
            uses.exit();
        }
    }

    /** The u64 publication token of the last write (0 when none was given, and on v2 streams). */
    public long frameId() {
        enter("read frame_id from");
        try {
            long value = words.frameId();
            FaultBarrier.deliverPending();
            return value;
        } catch (InternalError e) {
            throw payloadFault(e, "read frame_id from");
        } finally {
            uses.exit();
        }
    }

    /** The count this handle saw at its last successful read (at open: the count then). */
    public long lastReadCount() {
        return lastReadCount;
    }

    /** Publications skipped between this handle's last two reads. */
    public long missedWrites() {
        return missedWrites;
    }

    /** Publications skipped over all of this handle's reads. */
    public long totalMissedWrites() {
        return totalMissedWrites;
    }

    // ------------------------------------------------------------------ write lock

    /** Takes the write lock, waiting as long as needed. Re-entrant per thread. */
    public void acquire() {
        acquireUntil(FOREVER);
    }

    /**
     * Takes the write lock or fails after {@code timeout} (one deadline for the wait inside
     * this JVM and the wait for other processes).
     *
     * @throws StreamTimeoutException when the deadline passes
     */
    public void acquire(Duration timeout) {
        acquireUntil(deadline(timeout));
    }

    /** Releases one level of this thread's hold on the write lock. */
    public void release() {
        enter("release the lock of");
        try {
            if (!lock.heldByCurrentThread() || heldDepth == 0) {
                throw new IllegalStateException("cannot release the write lock of '" + name()
                        + "': this thread does not hold it through this handle");
            }
            unlockAfterWrite();
        } catch (InternalError e) {
            throw payloadFault(e, "release the lock of");
        } finally {
            uses.exit();
        }
    }

    /**
     * Takes the write lock for a try-with-resources block.
     *
     * <pre>{@code
     * try (var held = shm.locked()) {
     *     ArrowBuf live = shm.buffer();   // nobody publishes while we look
     *     ...
     *     live.close();
     * }
     * }</pre>
     */
    public LockScope locked() {
        acquire();
        return lockScope;
    }

    /** {@link #locked()} with a deadline. */
    public LockScope locked(Duration timeout) {
        acquire(timeout);
        return lockScope;
    }

    /** A held write lock; closing it releases one level. */
    public final class LockScope implements AutoCloseable {
        private LockScope() {
        }

        @Override
        public void close() {
            release();
        }
    }

    private void acquireUntil(long deadline) {
        refuseIfReadOnly("acquire the write lock of");
        enter("acquire the lock of");
        try {
            if (deadline == FOREVER) {
                lock.lock();
            } else {
                lock.lock(deadline, name());
            }
            heldDepth++;
            try {
                recordLockOwner();
                FaultBarrier.deliverPending();
            } catch (InternalError e) {
                unlockAfterWrite();
                throw e;
            }
        } catch (InternalError e) {
            throw payloadFault(e, "acquire the lock of");
        } finally {
            uses.exit();
        }
    }

    // ------------------------------------------------------------------ writes

    /** Publishes a full payload (C order; length must match). For INT8, UINT8 and raw bytes of any dtype. */
    public void write(byte[] values) {
        publish(values, false, 0, false);
    }

    /** Publishes INT16, UINT16 or FLOAT16 (binary16 bits) elements. */
    public void write(short[] values) {
        publish(values, false, 0, false);
    }

    /** Publishes INT32 or UINT32 elements. */
    public void write(int[] values) {
        publish(values, false, 0, false);
    }

    /** Publishes INT64 or UINT64 elements. */
    public void write(long[] values) {
        publish(values, false, 0, false);
    }

    /** Publishes FLOAT32 elements, or COMPLEX64 as interleaved (re, im). */
    public void write(float[] values) {
        publish(values, false, 0, false);
    }

    /** Publishes FLOAT64 elements, or COMPLEX128 as interleaved (re, im). */
    public void write(double[] values) {
        publish(values, false, 0, false);
    }

    /** Publishes BOOL elements (stored as bytes 0 and 1, NumPy's bool). */
    public void write(boolean[] values) {
        publish(values, false, 0, false);
    }

    /** Publishes the {@code size()} bytes between the buffer's position and limit; the position does not move. */
    public void write(ByteBuffer bytes) {
        publish(bytes, false, 0, false);
    }

    /**
     * Publishes bytes [0, size()) of an Arrow buffer; its capacity may be larger (allocators
     * round capacities up), never smaller.
     */
    public void write(ArrowBuf bytes) {
        publish(bytes, false, 0, false);
    }

    /**
     * Publishes like {@link #write(float[])} and stamps the u64 publication token
     * {@code frameId} (compare unsigned) that readers get in the same generation.
     *
     * <pre>{@code
     * shm.write(frame, cameraFrameNumber);
     * try (Publication p = reader.readPublication()) { assert p.frameId() == cameraFrameNumber; }
     * }</pre>
     */
    public void write(float[] values, long frameId) {
        publish(values, true, frameId, false);
    }

    public void write(byte[] values, long frameId) {
        publish(values, true, frameId, false);
    }

    public void write(short[] values, long frameId) {
        publish(values, true, frameId, false);
    }

    public void write(int[] values, long frameId) {
        publish(values, true, frameId, false);
    }

    public void write(long[] values, long frameId) {
        publish(values, true, frameId, false);
    }

    public void write(double[] values, long frameId) {
        publish(values, true, frameId, false);
    }

    public void write(boolean[] values, long frameId) {
        publish(values, true, frameId, false);
    }

    public void write(ByteBuffer bytes, long frameId) {
        publish(bytes, true, frameId, false);
    }

    public void write(ArrowBuf bytes, long frameId) {
        publish(bytes, true, frameId, false);
    }

    /**
     * Publishes a payload (any of the {@code write} source types: a primitive array,
     * {@code ByteBuffer} or {@code ArrowBuf}) while the calling thread already holds the lock,
     * as several writes under one {@link #locked()} block do.
     *
     * @throws IllegalStateException when this thread does not hold the lock through this handle
     */
    public void writeLocked(Object source) {
        publish(source, false, 0, true);
    }

    /** {@link #writeLocked(Object)} with a frame id. */
    public void writeLocked(Object source, long frameId) {
        publish(source, true, frameId, true);
    }

    /** Publishes an all-zero payload (a new publication, as pyshmem's {@code clear()}; the frame id stays). */
    public void clear() {
        publish(null, false, 0, false);
    }

    /**
     * Opens a zero-copy write: takes the lock, marks the write in progress and hands out the
     * live payload; see {@link WriteView}.
     */
    public WriteView writeView() {
        return openView(FOREVER, false);
    }

    /** {@link #writeView()} waiting at most {@code timeout} for the lock. */
    public WriteView writeView(Duration timeout) {
        return openView(deadline(timeout), false);
    }

    /** {@link #writeView()} for a thread that already holds the lock; closing the view leaves the lock held. */
    public WriteView writeViewLocked() {
        return openView(FOREVER, true);
    }

    private WriteView openView(long deadline, boolean callerHoldsLock) {
        refuseIfReadOnly("write to");
        if (callerHoldsLock) {
            requireHeld("writeViewLocked");
        } else {
            acquireUntil(deadline);
        }
        enter("write to");
        try {
            WriteView view = new WriteView(this, payload, seqlock.beginWrite(), !callerHoldsLock);
            openViews++;
            return view;
        } catch (RuntimeException | Error e) {
            uses.exit();
            if (!callerHoldsLock) {
                release();
            }
            throw e;
        }
    }

    void finishViewWrite(long odd, boolean stampFrameId, long frameId, boolean releaseLock) {
        openViews--;
        try {
            try {
                FaultBarrier.deliverPending();
            } catch (InternalError e) {
                seqlock.abortWrite();
                wakeReaders();
                throw payloadFault(e, "publish a write view of");
            }
            seqlock.endWrite(odd, WallClock.epochSeconds(), stampFrameId, frameId);
            wakeReaders();
        } finally {
            uses.exit();
            if (releaseLock) {
                release();
            }
        }
    }

    void abortViewWrite(boolean releaseLock) {
        openViews--;
        try {
            seqlock.abortWrite();
            wakeReaders();
        } finally {
            uses.exit();
            if (releaseLock) {
                release();
            }
        }
    }

    private void publish(Object source, boolean stampFrameId, long frameId, boolean callerHoldsLock) {
        refuseIfReadOnly("write to");
        checkSource(source);
        enter("write to");
        boolean locked = false;
        try {
            try {
                if (callerHoldsLock) {
                    requireHeld("writeLocked");
                } else {
                    lock.lock();
                    heldDepth++;
                    locked = true; // from here the finally releases it, whatever fails next
                    recordLockOwner();
                }
                long odd = seqlock.beginWrite();
                try {
                    copyIn(source);
                    FaultBarrier.deliverPending();
                } catch (RuntimeException | Error e) {
                    seqlock.abortWrite();
                    wakeReaders();
                    throw payloadFault(e, "write to");
                }
                seqlock.endWrite(odd, WallClock.epochSeconds(), stampFrameId, frameId);
                wakeReaders();
            } finally {
                if (locked) {
                    unlockAfterWrite(); // a fault here (truncated header) is converted below
                }
            }
        } catch (InternalError e) {
            throw payloadFault(e, "write to");
        } finally {
            uses.exit();
        }
    }

    private void copyIn(Object source) {
        if (source == null) {
            payload.setZero(0, size());
        } else if (source instanceof ByteBuffer) {
            copier.copyIn((ByteBuffer) source);
        } else if (source instanceof ArrowBuf) {
            payload.setBytes(0, (ArrowBuf) source, 0, size());
        } else {
            copier.copyIn(source, elementSize(source));
        }
        WriteHooks.afterCopy(names.name());
    }

    /**
     * Records this process as the holder in the header, and at depth 1 marks an abandoned
     * write invalid (beginWrite then opens a fresh generation above it).
     */
    private void recordLockOwner() {
        words.lockOwner(Processes.currentPid(), lock.depth());
        if (lock.depth() == 1) {
            seqlock.invalidateIfAbandoned();
        }
    }

    private void unlockAfterWrite() {
        int depth = lock.depth() - 1;
        heldDepth--;
        try {
            words.lockOwner(depth == 0 ? 0 : Processes.currentPid(), depth);
        } finally {
            lock.unlock();
        }
    }

    private void requireHeld(String operation) {
        if (heldDepth == 0 || !lock.heldByCurrentThread()) {
            throw new IllegalStateException(operation + " on '" + name() + "' requires this thread to hold its"
                    + " write lock through this handle; use locked() or acquire() first");
        }
    }

    private void wakeReaders() {
        if (waiter.notifying()) {
            Futex.wakeAll(words.futexAddress());
        }
    }

    // ------------------------------------------------------------------ reads

    /**
     * A consistent copy of the latest publication in a new buffer from this handle's
     * allocator. The caller closes it.
     *
     * @throws InconsistentStreamException when the last write failed or its writer died
     */
    public ArrowBuf read() {
        return copyUntil(FOREVER, readAllocator, null);
    }

    /** {@link #read()} into a buffer from {@code allocator}. */
    public ArrowBuf read(BufferAllocator allocator) {
        return copyUntil(FOREVER, allocator, null);
    }

    /**
     * {@link #read()} that waits at most {@code timeout} for a running write to finish.
     *
     * @throws StreamTimeoutException when no stable publication appeared in time
     */
    public ArrowBuf read(Duration timeout) {
        return copyUntil(deadline(timeout), readAllocator, null);
    }

    /** Copies the latest publication into {@code target} (length must match); allocates nothing. */
    public void readInto(byte[] target) {
        readIntoUntil(target, FOREVER);
    }

    public void readInto(short[] target) {
        readIntoUntil(target, FOREVER);
    }

    public void readInto(int[] target) {
        readIntoUntil(target, FOREVER);
    }

    public void readInto(long[] target) {
        readIntoUntil(target, FOREVER);
    }

    public void readInto(float[] target) {
        readIntoUntil(target, FOREVER);
    }

    public void readInto(double[] target) {
        readIntoUntil(target, FOREVER);
    }

    public void readInto(boolean[] target) {
        readIntoUntil(target, FOREVER);
    }

    /** Copies the latest publication to the buffer's position (at least {@code size()} bytes must remain). */
    public void readInto(ByteBuffer target) {
        readIntoUntil(target, FOREVER);
    }

    /** Copies the latest publication into bytes [0, size()) of {@code target}. */
    public void readInto(ArrowBuf target) {
        readIntoUntil(target, FOREVER);
    }

    /**
     * The latest publication with its count, frame id and write time, all from one seqlock
     * generation.
     */
    public Publication readPublication() {
        return publicationUntil(FOREVER);
    }

    /** {@link #readPublication()} waiting at most {@code timeout} for a running write. */
    public Publication readPublication(Duration timeout) {
        return publicationUntil(deadline(timeout));
    }

    /**
     * Waits for a publication newer than the moment of the call and returns a consistent
     * copy of the latest one (edge-triggered: writes published before the call do not count).
     * For request/response exchanges use {@link #readAfter(long, Duration)} instead: a reply
     * published just before this call would be missed.
     */
    public ArrowBuf readNew() {
        return readNew(null);
    }

    /**
     * {@link #readNew()} with a deadline.
     *
     * @throws StreamTimeoutException when no new publication arrives in time
     */
    public ArrowBuf readNew(Duration timeout) {
        long deadline = timeout == null ? FOREVER : deadline(timeout);
        enter("read from");
        try {
            awaitCountAbove(words.count(), deadline, "a new write");
            return copyUntil(deadline, readAllocator, null);
        } finally {
            uses.exit();
        }
    }

    /** {@link #readNew(Duration)} returning the publication with its metadata. */
    public Publication readNewPublication(Duration timeout) {
        long deadline = deadline(timeout);
        enter("read from");
        try {
            awaitCountAbove(words.count(), deadline, "a new write");
            return publicationUntil(deadline);
        } finally {
            uses.exit();
        }
    }

    /**
     * Level-triggered wait: returns the count as soon as a stable publication numbered above
     * {@code after} exists (at once if one already does).
     *
     * <pre>{@code
     * long n = replies.count();
     * requests.write(request);
     * replies.waitForCount(n, Duration.ofSeconds(1));   // cannot miss a reply published in between
     * }</pre>
     *
     * @throws StreamTimeoutException when none appears in time
     */
    public long waitForCount(long after, Duration timeout) {
        checkAfter(after);
        long deadline = deadline(timeout);
        enter("wait on");
        try {
            return awaitCountAbove(after, deadline, null);
        } finally {
            uses.exit();
        }
    }

    /** {@link #waitForCount} then {@link #read(Duration)} with the remaining time. */
    public ArrowBuf readAfter(long after, Duration timeout) {
        checkAfter(after);
        long deadline = deadline(timeout);
        enter("read from");
        try {
            awaitCountAbove(after, deadline, null);
            return copyUntil(deadline, readAllocator, null);
        } finally {
            uses.exit();
        }
    }

    /** {@link #waitForCount} then {@link #readPublication(Duration)} with the remaining time. */
    public Publication readAfterPublication(long after, Duration timeout) {
        checkAfter(after);
        long deadline = deadline(timeout);
        enter("read from");
        try {
            awaitCountAbove(after, deadline, null);
            return publicationUntil(deadline);
        } finally {
            uses.exit();
        }
    }

    /**
     * The live payload as a zero-copy view, with no consistency guarantee: hold
     * {@link #locked()} while using it (or use {@link #readZeroCopy}). The view keeps the
     * mapping alive until it is closed, even past this handle's {@link #close()}.
     *
     * @throws ReadOnlyStreamException on a read-only handle, whose memory is not writable
     */
    public ArrowBuf buffer() {
        refuseIfReadOnly("take a live writable view of");
        enter("take a view of");
        try {
            payload.getReferenceManager().retain();
            return payload.slice(0, size());
        } finally {
            uses.exit();
        }
    }

    /**
     * Runs {@code reader} on the live payload inside the seqlock and returns its result when
     * no write overlapped it; otherwise runs it again. Nothing is copied, so a reduction over a
     * large frame costs only its own loads. The function must not keep, close or write to the
     * view, and must tolerate being run more than once; an exception it throws on a torn view
     * is retried too, one on a consistent view propagates.
     *
     * <pre>{@code
     * double sum = shm.readZeroCopy(view -> {
     *     double s = 0;
     *     for (long i = 0; i < view.capacity(); i += 4) s += view.getFloat(i);
     *     return s;
     * });
     * }</pre>
     */
    public <R> R readZeroCopy(Function<ArrowBuf, R> reader) {
        refuseIfReadOnly("run a zero-copy reader on");
        enter("read from");
        try {
            while (true) {
                long start = awaitStable(FOREVER);
                R result;
                try {
                    result = reader.apply(payload);
                    FaultBarrier.deliverPending();
                } catch (InternalError e) {
                    throw payloadFault(e, "read from");
                } catch (RuntimeException e) {
                    if (seqlock.validate(start)) {
                        throw e;
                    }
                    continue;
                }
                long count = words.count();
                if (seqlock.validate(start)) {
                    recordRead(count);
                    return result;
                }
            }
        } catch (InternalError e) {
            throw payloadFault(e, "read from");
        } finally {
            uses.exit();
        }
    }

    private void checkAfter(long after) {
        if (after < 0) {
            throw new IllegalArgumentException("after must be non-negative, got " + after);
        }
    }

    /**
     * Waits until a stable publication numbered above {@code after} exists and returns its
     * count. A negative or abandoned generation raises at once, as pyshmem does.
     */
    private long awaitCountAbove(long after, long deadline, String what) {
        try {
            return awaitCountAboveLoop(after, deadline, what);
        } catch (InternalError e) {
            throw payloadFault(e, "wait on");
        }
    }

    private long awaitCountAboveLoop(long after, long deadline, String what) {
        long seen = Long.MIN_VALUE;
        long waitStart = System.nanoTime();
        for (int i = 0; ; i++) {
            long sequence = seqlock.sequence();
            if (sequence != seen) {
                seen = sequence;
                waitStart = System.nanoTime();
                i = 0;
            }
            if (sequence < 0) {
                throw incomplete();
            }
            if (Seqlock.stable(sequence)) {
                long count = words.count();
                if (Long.compareUnsigned(count, after) > 0) {
                    return count;
                }
            } else if (waiter.strategy().pastSpinning(i) && abandoned(sequence, waitStart)) {
                throw deadWriter();
            }
            long remaining = remaining(deadline);
            if (remaining <= 0) {
                throw new StreamTimeoutException(what != null ? "timed out waiting for " + what + " on '" + name() + "'"
                        : "timed out waiting for stream '" + name() + "' to pass count " + after, null);
            }
            checkOpen();
            waiter.idle(i, sequence, remaining);
        }
    }

    private ArrowBuf copyUntil(long deadline, BufferAllocator allocator, PublicationSample sample) {
        enter("read from");
        try {
            ArrowBuf copy = allocator.buffer(size());
            copy.capacity(size()); // allocators round up; the copy is exactly one payload
            HugePages.advise(copy.memoryAddress(), size());
            try {
                readStable(copy, deadline, sample);
                return copy;
            } catch (RuntimeException | Error e) {
                copy.close();
                throw e;
            }
        } finally {
            uses.exit();
        }
    }

    private Publication publicationUntil(long deadline) {
        PublicationSample sample = new PublicationSample();
        ArrowBuf copy = copyUntil(deadline, readAllocator, sample);
        return new Publication(copy, sample.count, sample.frameId, sample.writeTime, sample.missed);
    }

    private void readIntoUntil(Object target, long deadline) {
        checkTarget(target);
        enter("read from");
        try {
            readStable(target, deadline, null);
        } finally {
            uses.exit();
        }
    }

    /** Metadata read inside the same generation as a publication's payload. */
    private static final class PublicationSample {
        long count;
        long frameId;
        double writeTime;
        long missed;
    }

    /** The seqlock read: wait for a stable generation, copy, and keep the copy only if it still holds. */
    private void readStable(Object target, long deadline, PublicationSample sample) {
        try {
            readStableLoop(target, deadline, sample);
        } catch (InternalError e) {
            throw payloadFault(e, "read from");
        }
    }

    private void readStableLoop(Object target, long deadline, PublicationSample sample) {
        while (true) {
            long start = awaitStable(deadline);
            try {
                copyOut(target);
                FaultBarrier.deliverPending();
            } catch (RuntimeException | Error e) {
                throw payloadFault(e, "read from");
            }
            long count = words.count();
            long frameId = sample == null ? 0 : words.frameId();
            double writeTime = sample == null ? 0 : words.writeTime();
            if (seqlock.validate(start)) {
                long missed = recordRead(count);
                if (sample != null) {
                    sample.count = count;
                    sample.frameId = frameId;
                    sample.writeTime = writeTime;
                    sample.missed = missed;
                }
                return;
            }
        }
    }

    private void copyOut(Object target) {
        if (target instanceof ArrowBuf) {
            ((ArrowBuf) target).setBytes(0, payload, 0, size());
        } else if (target instanceof ByteBuffer) {
            copier.copyOut((ByteBuffer) target);
        } else {
            copier.copyOut(target, elementSize(target));
        }
    }

    /** Returns a stable (even, non-negative) sequence, waiting out a running write. */
    private long awaitStable(long deadline) {
        long sequence = seqlock.sequence();
        if (Seqlock.stable(sequence)) {
            return sequence;
        }
        long seen = sequence;
        long waitStart = System.nanoTime();
        for (int i = 0; ; i++) {
            if (sequence < 0) {
                throw incomplete();
            }
            if (Seqlock.stable(sequence)) {
                return sequence;
            }
            if (sequence != seen) {
                seen = sequence;
                waitStart = System.nanoTime();
                i = 0;
            }
            if (waiter.strategy().pastSpinning(i) && abandoned(sequence, waitStart)) {
                throw deadWriter();
            }
            long remaining = remaining(deadline);
            if (remaining <= 0) {
                throw new StreamTimeoutException("timed out waiting for a stable write on '" + name() + "'", null);
            }
            checkOpen();
            waiter.idle(i, sequence, remaining);
            sequence = seqlock.sequence();
        }
    }

    /**
     * Whether the odd generation {@code observed} belongs to a writer that died. A live
     * writer holds the lock from its odd store to its even store, so if the lock can be taken
     * and the sequence still shows {@code observed}, its writer is gone. A writable handle
     * then marks the generation invalid, as pyshmem does; a read-only one only reports it
     * (pyshmem raises PermissionError there instead). The recorded owner PID is only a fast
     * path: alive means "still writing" during the first second of a wait, after which the
     * lock decides (the PID may have been reused, or reset by a later lock user).
     */
    private boolean abandoned(long observed, long waitStartNanos) {
        long writer = words.lockOwnerPid();
        if (writer > 0 && System.nanoTime() - waitStartNanos < ABANDON_PID_TRUST_NANOS && Processes.isAlive(writer)) {
            return false;
        }
        try {
            lock.lock(System.nanoTime(), name());
        } catch (StreamTimeoutException busy) {
            return false; // someone holds the lock: a live writer, or another reader repairing
        }
        try {
            if (readOnly) {
                long current = words.sequencePlain();
                return current == observed || current < 0;
            }
            return seqlock.invalidateAbandoned(observed);
        } finally {
            lock.unlock();
        }
    }

    /** Updates the missed-write counters (spec §3.7) and returns this read's missed count. */
    private long recordRead(long count) {
        long missed = Math.max(0, count - lastReadCount - 1);
        missedWrites = missed;
        totalMissedWrites += missed;
        lastReadCount = count;
        return missed;
    }

    // ------------------------------------------------------------------ discovery

    /**
     * The validated metadata and live counters of a stream, without mapping its payload.
     *
     * <pre>{@code
     * StreamInfo info = SharedMemory.stat("frames");
     * System.out.println(info.dtype() + " " + Arrays.toString(info.shape()) + " count " + info.count());
     * }</pre>
     *
     * @throws StreamNotFoundException when it does not exist
     * @throws InvalidMetadataException when its metadata fails validation
     */
    public static StreamInfo stat(String name) {
        return Discovery.stat(name);
    }

    /** The sorted names of every valid stream on this host, Java- or pyshmem-created. */
    public static List<String> listStreams() {
        return Discovery.list();
    }

    /**
     * Unlinks every valid stream (only files whose stored name hashes back to them and whose
     * header validates; never foreign files) and returns their names, sorted.
     */
    public static List<String> purge() {
        return Discovery.purge(false);
    }

    /** {@link #purge()}, also removing PyTorch CUDA IPC files ({@code cuda.shm.*}) whose producer died. */
    public static List<String> purge(boolean includeCudaOrphans) {
        return Discovery.purge(includeCudaOrphans);
    }

    /** Same as {@link #unlink(String)}, which is already silent when the stream is absent (pyshmem's name). */
    public static void unlinkQuiet(String name) {
        unlink(name);
    }

    /** Creates a stream like the one {@code config} describes (see {@link #toConfig()}). */
    public static SharedMemory createFromConfig(StreamConfig config) {
        return create(config.name(), config.toCreateOptions());
    }

    /** This stream's declarative configuration. */
    public StreamConfig toConfig() {
        return new StreamConfig(name(), descriptor.shape(), dtype(),
                descriptor.gpuEnabled() ? Optional.of("cuda:" + descriptor.deviceIndex()) : Optional.empty(),
                descriptor.cpuMirror(), descriptor.notifyFlag());
    }

    /** Whether the process that created the stream is still running. */
    public boolean producerAlive() {
        return Processes.isAlive(descriptor.creatorPid());
    }

    /** Seconds since the last completed write; infinite before the first. */
    public double age() {
        double written = writeTime();
        return written <= 0 ? Double.POSITIVE_INFINITY : Math.max(0, WallClock.epochSeconds() - written);
    }

    /**
     * Whether the last write is older than {@code maxAge} (or there was none): a dead or
     * idle producer, noticed without any heartbeat.
     */
    public boolean isStale(Duration maxAge) {
        if (maxAge.isNegative() || maxAge.isZero()) {
            throw new IllegalArgumentException("maxAge must be positive, got " + maxAge);
        }
        return age() > maxAge.toNanos() / 1e9;
    }

    /** A multi-line {@code key: value} summary, pyshmem's {@code describe()}. */
    public String describe() {
        double age = age();
        return String.join("\n",
                "name:         " + name(),
                "shape:        " + Arrays.toString(descriptor.shape()),
                "dtype:        " + dtype().numpyName(),
                "size:         " + size(),
                "gpu_enabled:  " + gpuEnabled(),
                "gpu_device:   " + gpuDevice().orElse("None"),
                "cpu_mirror:   " + cpuMirror(),
                "count:        " + count(),
                "write_time:   " + writeTime(),
                "write_seq:    " + writeSequence(),
                "frame_id:     " + Long.toUnsignedString(frameId()),
                "owner:        " + owner,
                "readonly:     " + readOnly,
                "creator_pid:  " + creatorPid(),
                "producer:     " + (producerAlive() ? "alive" : "gone"),
                "age:          " + (Double.isInfinite(age) ? "never written" : String.format("%.6f s", age)),
                "notify:       " + notifyEnabled());
    }

    // ------------------------------------------------------------------ several streams

    /**
     * Takes the write locks of several streams under one deadline, in sorted-name order (so
     * processes that lock the same streams in any order cannot deadlock), and releases them
     * in reverse when closed. On a timeout it releases what it took.
     *
     * <pre>{@code
     * try (MultiLock held = SharedMemory.lockedMany(List.of(images, labels), Duration.ofSeconds(1))) {
     *     images.write(image);
     *     labels.write(label);     // readers see both or neither under the same locks
     * }
     * }</pre>
     *
     * @throws IllegalArgumentException when two handles share a name
     */
    public static MultiLock lockedMany(List<SharedMemory> handles, Duration timeout) {
        Set<String> unique = new HashSet<>();
        for (SharedMemory handle : handles) {
            if (!unique.add(handle.name())) {
                throw new IllegalArgumentException("lockedMany() requires unique stream names, '" + handle.name()
                        + "' appears twice");
            }
        }
        long deadline = deadline(timeout);
        List<SharedMemory> sorted = sortedByName(handles);
        int taken = 0;
        try {
            for (SharedMemory handle : sorted) {
                handle.acquireUntil(deadline);
                taken++;
            }
        } catch (RuntimeException | Error e) {
            releaseInReverse(sorted, taken);
            throw e;
        }
        return new MultiLock(List.copyOf(handles));
    }

    static List<SharedMemory> sortedByName(List<SharedMemory> handles) {
        List<SharedMemory> sorted = new ArrayList<>(handles);
        sorted.sort(Comparator.comparing(SharedMemory::name, CODE_POINT_ORDER));
        return sorted;
    }

    static void releaseInReverse(List<SharedMemory> sorted, int taken) {
        for (int i = taken - 1; i >= 0; i--) {
            sorted.get(i).release();
        }
    }

    // ------------------------------------------------------------------ helpers

    /** Validates a write source: a primitive array the dtype accepts, a ByteBuffer or an ArrowBuf, of the right size. */
    private void checkSource(Object source) {
        if (source == null) {
            return; // clear()
        }
        if (source instanceof ByteBuffer) {
            ByteBuffer bytes = (ByteBuffer) source;
            if (bytes.remaining() != size()) {
                throw new IllegalArgumentException("expected " + size() + " bytes for '" + name() + "', got "
                        + bytes.remaining() + " remaining in the buffer");
            }
        } else if (source instanceof ArrowBuf) {
            if (((ArrowBuf) source).capacity() < size()) {
                throw new IllegalArgumentException("expected an ArrowBuf of at least " + size() + " bytes for '"
                        + name() + "', got capacity " + ((ArrowBuf) source).capacity());
            }
        } else {
            checkArray(source);
        }
    }

    /** Validates a readInto target: a writable buffer with room, or a primitive array of the right size. */
    private void checkTarget(Object target) {
        if (target instanceof ByteBuffer) {
            ByteBuffer bytes = (ByteBuffer) target;
            if (bytes.isReadOnly() || bytes.remaining() < size()) {
                throw new IllegalArgumentException("readInto needs a writable buffer with " + size()
                        + " bytes remaining for '" + name() + "', got " + bytes.remaining()
                        + (bytes.isReadOnly() ? " (read-only)" : ""));
            }
        } else if (target instanceof ArrowBuf) {
            if (((ArrowBuf) target).capacity() < size()) {
                throw new IllegalArgumentException("readInto needs an ArrowBuf of at least " + size()
                        + " bytes for '" + name() + "', got capacity " + ((ArrowBuf) target).capacity());
            }
        } else {
            checkArray(target);
        }
    }

    private void checkArray(Object array) {
        Class<?> type = array.getClass();
        if (!type.isArray() || !type.getComponentType().isPrimitive() || !descriptor.dtype().accepts(type)) {
            throw new IllegalArgumentException("stream '" + name() + "' holds " + dtype().numpyName() + "; use "
                    + dtype().javaArrayType().getSimpleName() + " or byte[] (raw), not " + type.getSimpleName());
        }
        int length = java.lang.reflect.Array.getLength(array);
        if ((long) length * elementSize(array) != size()) {
            throw new IllegalArgumentException("expected " + size() / elementSize(array) + " elements for '"
                    + name() + "' (shape " + Arrays.toString(descriptor.shape()) + ", " + dtype().numpyName()
                    + "), got " + length);
        }
    }

    private static int elementSize(Object array) {
        if (array instanceof byte[] || array instanceof boolean[]) {
            return 1;
        } else if (array instanceof short[]) {
            return 2;
        } else if (array instanceof int[] || array instanceof float[]) {
            return 4;
        }
        return 8;
    }

    private static long checkedSize(DType dtype, long[] shape) {
        if (shape.length == 0 || shape.length > MetadataLayout.MAX_NDIM) {
            throw new IllegalArgumentException("shape must have 1.." + MetadataLayout.MAX_NDIM
                    + " dimensions, got " + shape.length);
        }
        long size = dtype.itemSize();
        for (long dim : shape) {
            if (dim <= 0) {
                throw new IllegalArgumentException("shape dimensions must be positive, got "
                        + java.util.Arrays.toString(shape));
            }
            try {
                size = Math.multiplyExact(size, dim);
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("shape " + java.util.Arrays.toString(shape)
                        + " is too large: its size overflows 64 bits");
            }
        }
        return size;
    }

    private static long deadline(Duration timeout) {
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must be non-negative, got " + timeout);
        }
        long nanos = timeout.compareTo(Duration.ofDays(365)) > 0 ? Long.MAX_VALUE / 4 : timeout.toNanos();
        return System.nanoTime() + nanos;
    }

    private static long remaining(long deadline) {
        return deadline == FOREVER ? Long.MAX_VALUE : deadline - System.nanoTime();
    }

    private void enter(String operation) {
        if (!uses.enter()) {
            throw closed(operation);
        }
    }

    private void checkOpen() {
        if (uses.closed()) {
            throw closed("wait on");
        }
    }

    private IllegalStateException closed(String operation) {
        return new IllegalStateException("cannot " + operation + " closed shared memory '" + name()
                + "'; reopen it with SharedMemory.open(\"" + name() + "\")");
    }

    private void refuseIfReadOnly(String operation) {
        if (readOnly) {
            throw new ReadOnlyStreamException("cannot " + operation + " read-only shared memory '" + name()
                    + "'; open it without OpenOptions.readOnly() to write");
        }
    }

    private InconsistentStreamException incomplete() {
        return new InconsistentStreamException("stream '" + name() + "' contains an incomplete write;"
                + " a successful write is required before it can be read");
    }

    private InconsistentStreamException deadWriter() {
        return new InconsistentStreamException("writer process for stream '" + name() + "' exited during a write;"
                + " a successful write is required before it can be read");
    }

    /**
     * A fault while copying the payload. The JVM reports a SIGBUS on mapped memory (a segment
     * truncated by another process) as an {@link InternalError}; it becomes a clear exception.
     */
    private RuntimeException payloadFault(Throwable e, String operation) {
        if (e instanceof InternalError) {
            return new SharedMemoryException("cannot " + operation + " '" + name() + "': its shared memory is no"
                    + " longer backed (a segment was truncated by another process); unlink and recreate the stream", e);
        }
        if (e instanceof RuntimeException) {
            return (RuntimeException) e;
        }
        throw (Error) e;
    }

    @Override
    public String toString() {
        return "SharedMemory[" + name() + ", " + dtype().numpyName() + java.util.Arrays.toString(descriptor.shape())
                + (owner ? ", owner" : "") + (readOnly ? ", read-only" : "") + (uses.closed() ? ", closed" : "") + "]";
    }
}

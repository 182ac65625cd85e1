package io.arrowshm;

import io.arrowshm.internal.format.MetadataLayout;
import io.arrowshm.internal.format.StreamDescriptor;
import io.arrowshm.internal.format.StreamNames;
import io.arrowshm.internal.posix.Futex;
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
import java.util.HexFormat;
import java.util.Optional;
import java.util.ServiceLoader;
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
        if (heldDepth > 0) {
            if (!lock.heldByCurrentThread()) {
                throw new IllegalStateException("cannot close shared memory '" + name()
                        + "' while another thread holds its write lock; release it there first");
            }
            while (heldDepth > 0) {
                release();
            }
        }
        if (uses.close() && waiter.notifying()) {
            Futex.wakeAll(words.futexAddress()); // blocked readers of this handle see the close
        }
        if (autoUnlink && owner) {
            Lifecycle.unlink(names, descriptor.instanceId());
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
            return words.count();
        } finally {
            uses.exit();
        }
    }

    /** Epoch seconds of the last completed write; 0.0 before the first. */
    public double writeTime() {
        enter("read write_time from");
        try {
            return words.writeTime();
        } finally {
            uses.exit();
        }
    }

    /** The seqlock word: even when stable, odd while a write runs, negative after a failed write. */
    public long writeSequence() {
        enter("read write_sequence from");
        try {
            return seqlock.sequence();
        } finally {
            uses.exit();
        }
    }

    /** The u64 publication token of the last write (0 when none was given, and on v2 streams). */
    public long frameId() {
        enter("read frame_id from");
        try {
            return words.frameId();
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
            int depth = lock.depth() - 1;
            heldDepth--;
            words.lockOwner(depth == 0 ? 0 : Processes.currentPid(), depth);
            lock.unlock();
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
            words.lockOwner(Processes.currentPid(), lock.depth());
        } finally {
            uses.exit();
        }
    }

    // ------------------------------------------------------------------ writes

    /** Publishes a full payload (C order; length must match). For INT8, UINT8 and raw bytes of any dtype. */
    public void write(byte[] values) {
        publish(checkedArray(values, values.length, 1), 1);
    }

    /** Publishes INT16, UINT16 or FLOAT16 (binary16 bits) elements. */
    public void write(short[] values) {
        publish(checkedArray(values, values.length, 2), 2);
    }

    /** Publishes INT32 or UINT32 elements. */
    public void write(int[] values) {
        publish(checkedArray(values, values.length, 4), 4);
    }

    /** Publishes INT64 or UINT64 elements. */
    public void write(long[] values) {
        publish(checkedArray(values, values.length, 8), 8);
    }

    /** Publishes FLOAT32 elements, or COMPLEX64 as interleaved (re, im). */
    public void write(float[] values) {
        publish(checkedArray(values, values.length, 4), 4);
    }

    /** Publishes FLOAT64 elements, or COMPLEX128 as interleaved (re, im). */
    public void write(double[] values) {
        publish(checkedArray(values, values.length, 8), 8);
    }

    /** Publishes BOOL elements (stored as bytes 0 and 1, NumPy's bool). */
    public void write(boolean[] values) {
        publish(checkedArray(values, values.length, 1), 1);
    }

    /** Publishes the {@code size()} bytes between the buffer's position and limit; the position does not move. */
    public void write(ByteBuffer bytes) {
        if (bytes.remaining() != size()) {
            throw new IllegalArgumentException("expected " + size() + " bytes for '" + name() + "', got "
                    + bytes.remaining() + " remaining in the buffer");
        }
        publish(bytes, 1);
    }

    /**
     * Publishes bytes [0, size()) of an Arrow buffer; its capacity may be larger (allocators
     * round capacities up), never smaller.
     */
    public void write(ArrowBuf bytes) {
        if (bytes.capacity() < size()) {
            throw new IllegalArgumentException("expected an ArrowBuf of at least " + size() + " bytes for '"
                    + name() + "', got capacity " + bytes.capacity());
        }
        publish(bytes, 1);
    }

    /** Publishes an all-zero payload (a new publication, as pyshmem's {@code clear()}). */
    public void clear() {
        publish(null, 1);
    }

    private void publish(Object source, int elementSize) {
        refuseIfReadOnly("write to");
        enter("write to");
        try {
            lockForWrite();
            try {
                long odd = seqlock.beginWrite();
                try {
                    copyIn(source, elementSize);
                } catch (RuntimeException | Error e) {
                    seqlock.abortWrite();
                    wakeReaders();
                    throw payloadFault(e, "write to");
                }
                seqlock.endWrite(odd, WallClock.epochSeconds(), false, 0);
                wakeReaders();
            } finally {
                unlockAfterWrite();
            }
        } finally {
            uses.exit();
        }
    }

    private void copyIn(Object source, int elementSize) {
        if (source == null) {
            payload.setZero(0, size());
        } else if (source instanceof ByteBuffer) {
            copier.copyIn((ByteBuffer) source);
        } else if (source instanceof ArrowBuf) {
            payload.setBytes(0, (ArrowBuf) source, 0, size());
        } else {
            copier.copyIn(source, elementSize);
        }
        WriteHooks.afterCopy(names.name());
    }

    private void lockForWrite() {
        lock.lock();
        heldDepth++;
        words.lockOwner(Processes.currentPid(), lock.depth());
    }

    private void unlockAfterWrite() {
        int depth = lock.depth() - 1;
        heldDepth--;
        words.lockOwner(depth == 0 ? 0 : Processes.currentPid(), depth);
        lock.unlock();
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
        return readUntil(FOREVER, readAllocator);
    }

    /** {@link #read()} into a buffer from {@code allocator}. */
    public ArrowBuf read(BufferAllocator allocator) {
        return readUntil(FOREVER, allocator);
    }

    /**
     * {@link #read()} that waits at most {@code timeout} for a running write to finish.
     *
     * @throws StreamTimeoutException when no stable publication appeared in time
     */
    public ArrowBuf read(Duration timeout) {
        return readUntil(deadline(timeout), readAllocator);
    }

    /** Copies the latest publication into {@code target} (length must match); allocates nothing. */
    public void readInto(byte[] target) {
        readArray(checkedArray(target, target.length, 1), 1);
    }

    public void readInto(short[] target) {
        readArray(checkedArray(target, target.length, 2), 2);
    }

    public void readInto(int[] target) {
        readArray(checkedArray(target, target.length, 4), 4);
    }

    public void readInto(long[] target) {
        readArray(checkedArray(target, target.length, 8), 8);
    }

    public void readInto(float[] target) {
        readArray(checkedArray(target, target.length, 4), 4);
    }

    public void readInto(double[] target) {
        readArray(checkedArray(target, target.length, 8), 8);
    }

    public void readInto(boolean[] target) {
        readArray(checkedArray(target, target.length, 1), 1);
    }

    /** Copies the latest publication to the buffer's position (at least {@code size()} bytes must remain). */
    public void readInto(ByteBuffer target) {
        if (target.isReadOnly() || target.remaining() < size()) {
            throw new IllegalArgumentException("readInto needs a writable buffer with " + size()
                    + " bytes remaining for '" + name() + "', got " + target.remaining()
                    + (target.isReadOnly() ? " (read-only)" : ""));
        }
        readStable(target, 1, FOREVER);
    }

    /** Copies the latest publication into bytes [0, size()) of {@code target}. */
    public void readInto(ArrowBuf target) {
        if (target.capacity() < size()) {
            throw new IllegalArgumentException("readInto needs an ArrowBuf of at least " + size() + " bytes for '"
                    + name() + "', got capacity " + target.capacity());
        }
        readStable(target, 1, FOREVER);
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
        } finally {
            uses.exit();
        }
    }

    /**
     * Waits for a publication newer than the moment of the call and returns a consistent
     * copy of the latest one (edge-triggered: writes published before the call do not count).
     */
    public ArrowBuf readNew() {
        return readNewUntil(FOREVER);
    }

    /**
     * {@link #readNew()} with a deadline.
     *
     * @throws StreamTimeoutException when no new publication arrives in time
     */
    public ArrowBuf readNew(Duration timeout) {
        return readNewUntil(deadline(timeout));
    }

    private ArrowBuf readNewUntil(long deadline) {
        enter("read from");
        try {
            long baseline = words.count();
            long seen = Long.MIN_VALUE;
            for (int i = 0; ; i++) {
                long sequence = seqlock.sequence();
                if (sequence != seen) {
                    seen = sequence;
                    i = 0;
                }
                if (sequence < 0) {
                    throw incomplete();
                }
                if (Seqlock.stable(sequence)) {
                    if (words.count() != baseline) {
                        break;
                    }
                } else if (waiter.strategy().pastSpinning(i) && abandoned(sequence)) {
                    throw deadWriter();
                }
                long remaining = remaining(deadline);
                if (remaining <= 0) {
                    throw new StreamTimeoutException("timed out waiting for a new write on '" + name() + "'", null);
                }
                checkOpen();
                waiter.idle(i, sequence, remaining);
            }
            return readUntil(deadline, readAllocator);
        } finally {
            uses.exit();
        }
    }

    private ArrowBuf readUntil(long deadline, BufferAllocator allocator) {
        enter("read from");
        try {
            ArrowBuf copy = allocator.buffer(size());
            copy.capacity(size()); // allocators round up; the copy is exactly one payload
            try {
                readStable(copy, 1, deadline);
                return copy;
            } catch (RuntimeException | Error e) {
                copy.close();
                throw e;
            }
        } finally {
            uses.exit();
        }
    }

    private void readArray(Object target, int elementSize) {
        enter("read from");
        try {
            readStable(target, elementSize, FOREVER);
        } finally {
            uses.exit();
        }
    }

    /** The seqlock read: wait for a stable generation, copy, and keep the copy only if it still holds. */
    private void readStable(Object target, int elementSize, long deadline) {
        while (true) {
            long start = awaitStable(deadline);
            try {
                copyOut(target, elementSize);
            } catch (RuntimeException | Error e) {
                throw payloadFault(e, "read from");
            }
            long count = words.count();
            if (seqlock.validate(start)) {
                recordRead(count);
                return;
            }
        }
    }

    private void copyOut(Object target, int elementSize) {
        if (target instanceof ArrowBuf) {
            ((ArrowBuf) target).setBytes(0, payload, 0, size());
        } else if (target instanceof ByteBuffer) {
            copier.copyOut((ByteBuffer) target);
        } else {
            copier.copyOut(target, elementSize);
        }
    }

    /** Returns a stable (even, non-negative) sequence, waiting out a running write. */
    private long awaitStable(long deadline) {
        long sequence = seqlock.sequence();
        if (Seqlock.stable(sequence)) {
            return sequence;
        }
        long seen = sequence;
        for (int i = 0; ; i++) {
            if (sequence < 0) {
                throw incomplete();
            }
            if (Seqlock.stable(sequence)) {
                return sequence;
            }
            if (sequence != seen) {
                seen = sequence;
                i = 0;
            }
            if (waiter.strategy().pastSpinning(i) && abandoned(sequence)) {
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
     * Whether the odd generation {@code observed} belongs to a writer that died: its PID is
     * gone and, under the write lock, the sequence still shows its write. A writable handle
     * then marks the generation invalid, as pyshmem does.
     */
    private boolean abandoned(long observed) {
        long writer = words.lockOwnerPid();
        if (writer <= 0 || Processes.isAlive(writer)) {
            return false;
        }
        try {
            lock.lock(System.nanoTime(), name());
        } catch (StreamTimeoutException busy) {
            return false; // someone holds the lock: a live writer, or another reader repairing
        }
        try {
            return readOnly ? words.sequencePlain() == observed || words.sequencePlain() < 0
                    : seqlock.invalidateAbandoned(observed);
        } finally {
            lock.unlock();
        }
    }

    private void recordRead(long count) {
        long missed = Math.max(0, count - lastReadCount - 1);
        missedWrites = missed;
        totalMissedWrites += missed;
        lastReadCount = count;
    }

    // ------------------------------------------------------------------ helpers

    private Object checkedArray(Object array, int length, int elementSize) {
        if (!descriptor.dtype().accepts(array.getClass())) {
            throw new IllegalArgumentException("stream '" + name() + "' holds " + dtype().numpyName()
                    + "; use " + dtype().javaArrayType().getSimpleName() + " or byte[] (raw), not "
                    + array.getClass().getSimpleName());
        }
        if ((long) length * elementSize != size()) {
            throw new IllegalArgumentException("expected " + size() / elementSize + " elements for '" + name()
                    + "' (shape " + java.util.Arrays.toString(descriptor.shape()) + ", " + dtype().numpyName()
                    + "), got " + length);
        }
        return array;
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
            return new SharedMemoryException("cannot " + operation + " '" + name() + "': its data segment is no"
                    + " longer backed (truncated or removed by another process); recreate the stream", e);
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

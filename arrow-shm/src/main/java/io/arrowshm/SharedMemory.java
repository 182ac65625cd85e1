package io.arrowshm;

import io.arrowshm.internal.format.MetadataLayout;
import io.arrowshm.internal.format.StreamDescriptor;
import io.arrowshm.internal.format.StreamNames;
import io.arrowshm.internal.posix.Futex;
import io.arrowshm.internal.posix.Processes;
import io.arrowshm.internal.stream.Attached;
import io.arrowshm.internal.stream.DeviceLink;
import io.arrowshm.internal.stream.DeviceSeam;
import io.arrowshm.internal.stream.Lifecycle;
import io.arrowshm.internal.stream.PayloadCodec;
import io.arrowshm.internal.stream.PublicationSample;
import io.arrowshm.internal.stream.StreamParts;
import io.arrowshm.internal.stream.StreamReader;
import io.arrowshm.internal.stream.StreamWriter;
import io.arrowshm.internal.stream.WallClock;
import io.arrowshm.spi.GpuSupport;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;

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
 * {@link #close()} releases them. Every buffer it hands out ({@link #buffer()}, the view a
 * {@link #readZeroCopy} function gets, a {@link WriteView}'s buffer) holds its own reference
 * to the mapping, so closing one, even twice, never unmaps what the handle or another caller
 * still uses. A handle is safe to share between threads; the missed-write counters are per
 * handle and meant for one reading thread. Blocking calls end at their deadline, when the
 * handle is closed, and on {@link Thread#interrupt()} ({@link StreamInterruptedException}).
 *
 * <p>This class is the facade: the protocol lives in the writer and reader parts it
 * delegates to.
 */
public final class SharedMemory implements AutoCloseable {
    private static final long FOREVER = io.arrowshm.internal.stream.SeqlockReader.FOREVER;

    private final StreamParts parts;
    private final StreamNames names;
    private final StreamDescriptor descriptor;
    private final StreamWriter writer;
    private final StreamReader reader;
    private final Arguments arguments;
    private final boolean autoUnlink;

    private SharedMemory(Attached attached, boolean autoUnlink, WaitStrategy strategy, BufferAllocator allocator) {
        this.parts = new StreamParts(attached, strategy, allocator);
        this.names = attached.names();
        this.descriptor = attached.descriptor();
        this.writer = parts.writer();
        this.reader = parts.reader();
        this.arguments = new Arguments(names.name(), descriptor.dtype(), descriptor.shape(), descriptor.size());
        this.autoUnlink = autoUnlink;
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
        long size = Arguments.size(options.dtype(), options.shape());
        if (options.size().isPresent() && options.size().get() != size) {
            throw new IllegalArgumentException("size does not match shape and dtype: expected " + size + ", got "
                    + options.size().get());
        }
        int notify = options.notifyEnabled() ? MetadataLayout.FLAG_NOTIFY : 0;
        Attached attached;
        if (options.gpuDevice().isPresent()) {
            // GPU stream: the device seam allocates; the _gpu segment is written before the metadata.
            String device = options.gpuDevice().get();
            int deviceIndex = DeviceSeam.deviceIndex(device);
            GpuSupport support = DeviceSeam.require(name, device, "create");
            boolean mirror = options.cpuMirror().orElse(false);
            int flags = MetadataLayout.FLAG_GPU_ENABLED | (mirror ? MetadataLayout.FLAG_CPU_MIRROR : 0) | notify;
            attached = Lifecycle.create(names, options.dtype(), options.shape(), size, flags, deviceIndex,
                    support::allocate);
        } else {
            if (!options.cpuMirror().orElse(true)) {
                throw new IllegalArgumentException("a CPU stream always keeps its payload in shared memory:"
                        + " cpuMirror(false) needs gpuDevice(\"cuda:N\") for '" + name + "'");
            }
            attached = Lifecycle.create(names, options.dtype(), options.shape(), size,
                    MetadataLayout.FLAG_CPU_MIRROR | notify);
        }
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
     * Attaches an existing stream, Java- or pyshmem-created (v3, or legacy v2 metadata). The
     * handle's metadata and payload always belong to one generation of the name.
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
        Attached attached = options.gpuDevice().isPresent()
                ? DeviceSeam.openOnDevice(names, options.isReadOnly(), options.gpuDevice().get())
                : Lifecycle.open(names, options.isReadOnly()); // a GPU stream opens CPU-only: metadata, locks, mirror
        return new SharedMemory(attached, false, options.waitStrategy(), options.allocator().orElse(null));
    }

    /** Removes the stream's segments, whichever generation holds the name; silent when absent. */
    public static void unlink(String name) {
        Lifecycle.unlink(StreamNames.of(name), null);
    }

    /** Whether GPU streams can be created and attached here: the gpu module is present and sees a device. */
    public static boolean gpuAvailable() {
        return DeviceSeam.available();
    }

    /**
     * Closes this handle (idempotent): releases the write lock levels this thread holds
     * through it, and unmaps once no operation is in flight. The stream itself stays; see
     * {@link #unlink()}. Views handed out keep the payload mapped until they are closed.
     *
     * @throws IllegalStateException when another thread holds the write lock through this
     *     handle, or a write view is open; or (after closing) when buffers from {@link #read()}
     *     are still open: Arrow's leak report of the handle's allocator
     */
    @Override
    public void close() {
        if (parts.guard().closed()) {
            return;
        }
        writer.releaseForClose();
        // Hold a use across the wake: closing with nothing else in flight unmaps at once, and
        // the futex word lives in that mapping.
        try {
            parts.guard().enter("close");
        } catch (IllegalStateException closedMeanwhile) {
            return;
        }
        boolean closedHere;
        try {
            closedHere = parts.guard().close();
            if (closedHere && parts.notifying()) {
                Futex.wakeAll(parts.header().futexAddress()); // blocked readers of this handle see the close
            }
        } finally {
            parts.guard().exit(); // the last use out unmaps
        }
        if (closedHere && autoUnlink && parts.owner()) {
            try {
                Lifecycle.unlink(names, descriptor.instanceId());
            } catch (StaleStreamException alreadyReplaced) {
                // Our generation is gone already; the name now belongs to someone else's stream.
            }
        }
        IllegalStateException leak = parts.takeLeak();
        if (leak != null) {
            throw leak;
        }
    }

    /**
     * Closes this handle and removes the stream it opened.
     *
     * @throws StaleStreamException when the name now holds a newer generation (created after this handle opened)
     * @throws ReadOnlyStreamException on a read-only handle
     */
    public void unlink() {
        writer.refuseIfReadOnly("unlink");
        close();
        if (!(autoUnlink && parts.owner())) {
            Lifecycle.unlink(names, descriptor.instanceId());
        }
    }

    /** Alias of {@link #unlink()}, as in pyshmem. */
    public void delete() {
        unlink();
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
        return parts.owner();
    }

    public boolean readOnly() {
        return parts.readOnly();
    }

    /** Whether the stream is CUDA-backed (stored flag; see {@link #gpuDevice()} for this handle's access). */
    public boolean gpuEnabled() {
        return descriptor.gpuEnabled();
    }

    /**
     * The device this handle attached ({@code "cuda:N"}), empty for CPU access (a CPU stream,
     * or a GPU stream opened without {@link OpenOptions#gpuDevice}, which reads its mirror).
     */
    public Optional<String> gpuDevice() {
        return parts.device() == null ? Optional.empty() : Optional.ofNullable(parts.device().attachedDevice());
    }

    public boolean cpuMirror() {
        return descriptor.cpuMirror();
    }

    /** Whether writers and this handle's waits use futex notification (stored flag and platform support). */
    public boolean notifyEnabled() {
        return parts.notifying();
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
        return parts.header().count();
    }

    /** Epoch seconds of the last completed write; 0.0 before the first. */
    public double writeTime() {
        return parts.header().writeTime();
    }

    /** The seqlock word: even when stable, odd while a write runs, negative after a failed write. */
    public long writeSequence() {
        return parts.header().writeSequence();
    }

    /** The u64 publication token of the last write (0 when none was given, and on v2 streams). */
    public long frameId() {
        return parts.header().frameId();
    }

    /** The count this handle saw at its last successful read (at open: the count then). */
    public long lastReadCount() {
        return parts.cursor().lastReadCount();
    }

    /** Publications skipped between this handle's last two reads. */
    public long missedWrites() {
        return parts.cursor().missedWrites();
    }

    /** Publications skipped over all of this handle's reads. */
    public long totalMissedWrites() {
        return parts.cursor().totalMissedWrites();
    }

    // ------------------------------------------------------------------ write lock

    /** Takes the write lock, waiting as long as needed. Re-entrant per thread. */
    public void acquire() {
        writer.acquire(FOREVER);
    }

    /**
     * Takes the write lock or fails after {@code timeout} (one deadline for the wait inside
     * this JVM and the wait for other processes).
     *
     * @throws StreamTimeoutException when the deadline passes
     */
    public void acquire(Duration timeout) {
        writer.acquire(Arguments.deadline(timeout));
    }

    /** Releases one level of this thread's hold on the write lock. */
    public void release() {
        writer.release();
    }

    /**
     * Takes the write lock for a try-with-resources block; each call returns a scope of its
     * own, and closing a scope twice releases its level once.
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
        return new LockScope();
    }

    /** {@link #locked()} with a deadline. */
    public LockScope locked(Duration timeout) {
        acquire(timeout);
        return new LockScope();
    }

    /** One level of the write lock held by {@link #locked()}; closing it releases that level once. */
    public final class LockScope implements AutoCloseable {
        private boolean released;

        private LockScope() {
        }

        @Override
        public void close() {
            if (!released) {
                released = true;
                release();
            }
        }
    }

    // ------------------------------------------------------------------ writes

    /** Publishes a full payload (C order; length must match). For INT8, UINT8 and raw bytes of any dtype. */
    public void write(byte[] values) {
        writer.publish(arguments.array(values, values.length, 1), PayloadCodec::copyIn, false, 0, false);
    }

    /** Publishes INT16, UINT16 or FLOAT16 (binary16 bits) elements. */
    public void write(short[] values) {
        writer.publish(arguments.array(values, values.length, 2), PayloadCodec::copyIn, false, 0, false);
    }

    /** Publishes INT32 or UINT32 elements. */
    public void write(int[] values) {
        writer.publish(arguments.array(values, values.length, 4), PayloadCodec::copyIn, false, 0, false);
    }

    /** Publishes INT64 or UINT64 elements. */
    public void write(long[] values) {
        writer.publish(arguments.array(values, values.length, 8), PayloadCodec::copyIn, false, 0, false);
    }

    /** Publishes FLOAT32 elements, or COMPLEX64 as interleaved (re, im). */
    public void write(float[] values) {
        writer.publish(arguments.array(values, values.length, 4), PayloadCodec::copyIn, false, 0, false);
    }

    /** Publishes FLOAT64 elements, or COMPLEX128 as interleaved (re, im). */
    public void write(double[] values) {
        writer.publish(arguments.array(values, values.length, 8), PayloadCodec::copyIn, false, 0, false);
    }

    /** Publishes BOOL elements (stored as bytes 0 and 1, NumPy's bool). */
    public void write(boolean[] values) {
        writer.publish(arguments.array(values, values.length, 1), PayloadCodec::copyIn, false, 0, false);
    }

    /** Publishes the {@code size()} bytes between the buffer's position and limit; the position does not move. */
    public void write(ByteBuffer bytes) {
        writer.publish(arguments.source(bytes), PayloadCodec::copyIn, false, 0, false);
    }

    /**
     * Publishes bytes [0, size()) of an Arrow buffer; its capacity may be larger (allocators
     * round capacities up), never smaller.
     */
    public void write(ArrowBuf bytes) {
        writer.publish(arguments.source(bytes), PayloadCodec::copyIn, false, 0, false);
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
        writer.publish(arguments.array(values, values.length, 4), PayloadCodec::copyIn, true, frameId, false);
    }

    public void write(byte[] values, long frameId) {
        writer.publish(arguments.array(values, values.length, 1), PayloadCodec::copyIn, true, frameId, false);
    }

    public void write(short[] values, long frameId) {
        writer.publish(arguments.array(values, values.length, 2), PayloadCodec::copyIn, true, frameId, false);
    }

    public void write(int[] values, long frameId) {
        writer.publish(arguments.array(values, values.length, 4), PayloadCodec::copyIn, true, frameId, false);
    }

    public void write(long[] values, long frameId) {
        writer.publish(arguments.array(values, values.length, 8), PayloadCodec::copyIn, true, frameId, false);
    }

    public void write(double[] values, long frameId) {
        writer.publish(arguments.array(values, values.length, 8), PayloadCodec::copyIn, true, frameId, false);
    }

    public void write(boolean[] values, long frameId) {
        writer.publish(arguments.array(values, values.length, 1), PayloadCodec::copyIn, true, frameId, false);
    }

    public void write(ByteBuffer bytes, long frameId) {
        writer.publish(arguments.source(bytes), PayloadCodec::copyIn, true, frameId, false);
    }

    public void write(ArrowBuf bytes, long frameId) {
        writer.publish(arguments.source(bytes), PayloadCodec::copyIn, true, frameId, false);
    }

    /**
     * Publishes a payload (any of the {@code write} source types: a primitive array,
     * {@code ByteBuffer} or {@code ArrowBuf}) while the calling thread already holds the lock,
     * as several writes under one {@link #locked()} block do.
     *
     * @throws IllegalStateException when this thread does not hold the lock through this handle
     */
    public void writeLocked(Object source) {
        publishLocked(source, false, 0);
    }

    /** {@link #writeLocked(Object)} with a frame id. */
    public void writeLocked(Object source, long frameId) {
        publishLocked(source, true, frameId);
    }

    /** Publishes an all-zero payload (a new publication, as pyshmem's {@code clear()}; the frame id stays). */
    public void clear() {
        writer.clear();
    }

    /**
     * Opens a zero-copy write: takes the lock, marks the write in progress and hands out a
     * view of the live payload; see {@link WriteView}.
     */
    public WriteView writeView() {
        return new WriteView(name(), writer.claim(FOREVER, false));
    }

    /** {@link #writeView()} waiting at most {@code timeout} for the lock. */
    public WriteView writeView(Duration timeout) {
        return new WriteView(name(), writer.claim(Arguments.deadline(timeout), false));
    }

    /** {@link #writeView()} for a thread that already holds the lock; closing the view leaves the lock held. */
    public WriteView writeViewLocked() {
        return new WriteView(name(), writer.claim(FOREVER, true));
    }

    private void publishLocked(Object source, boolean stamp, long frameId) {
        if (source instanceof float[] a) {
            writer.publish(arguments.array(a, a.length, 4), PayloadCodec::copyIn, stamp, frameId, true);
        } else if (source instanceof byte[] a) {
            writer.publish(arguments.array(a, a.length, 1), PayloadCodec::copyIn, stamp, frameId, true);
        } else if (source instanceof short[] a) {
            writer.publish(arguments.array(a, a.length, 2), PayloadCodec::copyIn, stamp, frameId, true);
        } else if (source instanceof int[] a) {
            writer.publish(arguments.array(a, a.length, 4), PayloadCodec::copyIn, stamp, frameId, true);
        } else if (source instanceof long[] a) {
            writer.publish(arguments.array(a, a.length, 8), PayloadCodec::copyIn, stamp, frameId, true);
        } else if (source instanceof double[] a) {
            writer.publish(arguments.array(a, a.length, 8), PayloadCodec::copyIn, stamp, frameId, true);
        } else if (source instanceof boolean[] a) {
            writer.publish(arguments.array(a, a.length, 1), PayloadCodec::copyIn, stamp, frameId, true);
        } else if (source instanceof ByteBuffer b) {
            writer.publish(arguments.source(b), PayloadCodec::copyIn, stamp, frameId, true);
        } else if (source instanceof ArrowBuf b) {
            writer.publish(arguments.source(b), PayloadCodec::copyIn, stamp, frameId, true);
        } else {
            throw new IllegalArgumentException("writeLocked takes a primitive array, ByteBuffer or ArrowBuf for '"
                    + name() + "', not " + (source == null ? "null" : source.getClass().getName()));
        }
    }

    // ------------------------------------------------------------------ reads

    /**
     * A consistent copy of the latest publication in a new buffer from this handle's
     * allocator. The caller closes it (before closing the handle, or Arrow reports it as a
     * leak; pass an allocator of your own to keep copies longer).
     *
     * @throws InconsistentStreamException when the last write failed or its writer died
     */
    public ArrowBuf read() {
        return reader.copy(parts.readAllocator(), FOREVER, parts.cursor(), null);
    }

    /** {@link #read()} into a buffer from {@code allocator}. */
    public ArrowBuf read(BufferAllocator allocator) {
        return reader.copy(allocator, FOREVER, parts.cursor(), null);
    }

    /**
     * {@link #read()} that gives up at {@code timeout}: waiting for a running write, and
     * retrying while writes keep overlapping the copy.
     *
     * @throws StreamTimeoutException when no stable publication could be copied in time
     */
    public ArrowBuf read(Duration timeout) {
        return reader.copy(parts.readAllocator(), Arguments.deadline(timeout), parts.cursor(), null);
    }

    /** Copies the latest publication into {@code target} (length must match); allocates nothing. */
    public void readInto(byte[] target) {
        reader.readInto(arguments.array(target, target.length, 1), PayloadCodec::copyOut, FOREVER, parts.cursor(), null);
    }

    public void readInto(short[] target) {
        reader.readInto(arguments.array(target, target.length, 2), PayloadCodec::copyOut, FOREVER, parts.cursor(), null);
    }

    public void readInto(int[] target) {
        reader.readInto(arguments.array(target, target.length, 4), PayloadCodec::copyOut, FOREVER, parts.cursor(), null);
    }

    public void readInto(long[] target) {
        reader.readInto(arguments.array(target, target.length, 8), PayloadCodec::copyOut, FOREVER, parts.cursor(), null);
    }

    public void readInto(float[] target) {
        reader.readInto(arguments.array(target, target.length, 4), PayloadCodec::copyOut, FOREVER, parts.cursor(), null);
    }

    public void readInto(double[] target) {
        reader.readInto(arguments.array(target, target.length, 8), PayloadCodec::copyOut, FOREVER, parts.cursor(), null);
    }

    public void readInto(boolean[] target) {
        reader.readInto(arguments.array(target, target.length, 1), PayloadCodec::copyOut, FOREVER, parts.cursor(), null);
    }

    /** Copies the latest publication to the buffer's position (at least {@code size()} bytes must remain). */
    public void readInto(ByteBuffer target) {
        reader.readInto(arguments.target(target), PayloadCodec::copyOut, FOREVER, parts.cursor(), null);
    }

    /** Copies the latest publication into bytes [0, size()) of {@code target}. */
    public void readInto(ArrowBuf target) {
        reader.readInto(arguments.target(target), PayloadCodec::copyOut, FOREVER, parts.cursor(), null);
    }

    /**
     * The latest publication with its count, frame id and write time, all from one seqlock
     * generation.
     */
    public Publication readPublication() {
        return publication(FOREVER);
    }

    /** {@link #readPublication()} giving up at {@code timeout}. */
    public Publication readPublication(Duration timeout) {
        return publication(Arguments.deadline(timeout));
    }

    /**
     * Waits for a publication newer than the moment of the call and returns a consistent
     * copy of the latest one (edge-triggered: writes published before the call do not count).
     * For request/response exchanges use {@link #readAfter(long, Duration)} instead: a reply
     * published just before this call would be missed.
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
        return readNewUntil(Arguments.deadline(timeout));
    }

    /** {@link #readNew(Duration)} returning the publication with its metadata. */
    public Publication readNewPublication(Duration timeout) {
        long deadline = Arguments.deadline(timeout);
        reader.awaitCount(count(), deadline, "a new write");
        return publication(deadline);
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
        return reader.awaitCount(Arguments.after(after), Arguments.deadline(timeout), null);
    }

    /** {@link #waitForCount} then {@link #read(Duration)} with the remaining time. */
    public ArrowBuf readAfter(long after, Duration timeout) {
        long deadline = Arguments.deadline(timeout);
        reader.awaitCount(Arguments.after(after), deadline, null);
        return reader.copy(parts.readAllocator(), deadline, parts.cursor(), null);
    }

    /** {@link #waitForCount} then {@link #readPublication(Duration)} with the remaining time. */
    public Publication readAfterPublication(long after, Duration timeout) {
        long deadline = Arguments.deadline(timeout);
        reader.awaitCount(Arguments.after(after), deadline, null);
        return publication(deadline);
    }

    /**
     * A zero-copy view of the live payload, with no consistency guarantee: hold
     * {@link #locked()} while using it (or use {@link #readZeroCopy}). The view holds its own
     * reference: it keeps the mapping alive until it is closed, even past this handle's
     * {@link #close()}, and closing it (once or more) never affects the handle.
     *
     * @throws ReadOnlyStreamException on a read-only handle, whose memory is not writable
     */
    public ArrowBuf buffer() {
        return writer.view();
    }

    /**
     * Runs {@code reader} on a view of the live payload inside the seqlock and returns its
     * result when no write overlapped it; otherwise runs it again. Nothing is copied, so a
     * reduction over a large frame costs only its own loads. The function must tolerate being
     * run more than once and must not write to the view; an exception or error it throws on a
     * torn view is a retry, one on a consistent view propagates. The view is the function's
     * own (closing it is harmless) and is given back when the call returns: keep results, not
     * the view. With {@code arrow.enable_unsafe_memory_access=true} Arrow checks no bounds, so
     * a function that indexes with values read from the payload must check them itself: a
     * torn value can point anywhere.
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
        writer.refuseIfReadOnly("run a zero-copy reader on");
        return this.reader.zeroCopy(reader, FOREVER, parts.cursor());
    }

    /**
     * {@link #readZeroCopy(Function)} that gives up at {@code timeout}, while a write is
     * running or writes keep overlapping the function.
     *
     * @throws StreamTimeoutException when no run was consistent in time
     */
    public <R> R readZeroCopy(Function<ArrowBuf, R> reader, Duration timeout) {
        writer.refuseIfReadOnly("run a zero-copy reader on");
        return this.reader.zeroCopy(reader, Arguments.deadline(timeout), parts.cursor());
    }

    /**
     * Checks that the payload is still fully backed: another process may have truncated the
     * segment. Java reads and writes through this handle turn such a fault into
     * {@link SharedMemoryException} by themselves; native code given the mapping's address
     * (ND4J, a CUDA copy) cannot, and takes the JVM down with SIGBUS. Check right before
     * handing the address over; a truncation after the check cannot be caught there.
     *
     * <pre>{@code
     * try (ArrowBuf view = shm.buffer()) {
     *     shm.checkBacked();
     *     nativeLibrary.process(view.memoryAddress(), view.capacity());
     * }
     * }</pre>
     *
     * @throws SharedMemoryException when the segment was truncated below the payload's size
     */
    public void checkBacked() {
        reader.checkBacked();
    }

    private ArrowBuf readNewUntil(long deadline) {
        reader.awaitCount(count(), deadline, "a new write");
        return reader.copy(parts.readAllocator(), deadline, parts.cursor(), null);
    }

    private Publication publication(long deadline) {
        PublicationSample sample = new PublicationSample();
        ArrowBuf copy = reader.copy(parts.readAllocator(), deadline, parts.cursor(), sample);
        return new Publication(copy, sample.count(), sample.frameId(), sample.writeTime(), sample.missed());
    }

    // ------------------------------------------------------------------ device memory (GPU streams)

    /**
     * The live device payload of a GPU stream attached with {@link OpenOptions#gpuDevice} (or
     * created with {@link CreateOptions#gpuDevice}): pointer, size, dtype, shape and device,
     * what a CUDA library needs to wrap it. No consistency guarantee: use it under
     * {@link #locked()}, or copy with {@link #readIntoDevice(long)}.
     *
     * @throws SharedMemoryException on a CPU-only handle or a CPU stream
     */
    public DeviceView deviceView() {
        parts.guard().checkOpen("take a device view of");
        return requireDevice("take a device view of").view();
    }

    /**
     * Copies the latest publication, device to device, into {@code devicePointer} (at least
     * {@code size()} bytes on this handle's device) under the seqlock: the copy is kept only
     * if no write overlapped it, and a failed or dead writer raises
     * {@link InconsistentStreamException} as host reads do.
     */
    public void readIntoDevice(long devicePointer) {
        reader.readInto(devicePointer(devicePointer), requireDevice("read into device memory from").toDevice(),
                FOREVER, parts.cursor(), null);
    }

    /** {@link #readIntoDevice(long)} giving up at {@code timeout}. */
    public void readIntoDevice(long devicePointer, Duration timeout) {
        reader.readInto(devicePointer(devicePointer), requireDevice("read into device memory from").toDevice(),
                Arguments.deadline(timeout), parts.cursor(), null);
    }

    /**
     * Publishes {@code size()} bytes of device memory at {@code devicePointer} (on this handle's
     * device), updating the CPU mirror in the same publication when the stream has one.
     */
    public void writeFromDevice(long devicePointer) {
        writer.publish(devicePointer(devicePointer), requireDevice("write device memory to").fromDevice(), false, 0,
                false);
    }

    /** {@link #writeFromDevice(long)} stamping {@code frameId}. */
    public void writeFromDevice(long devicePointer, long frameId) {
        writer.publish(devicePointer(devicePointer), requireDevice("write device memory to").fromDevice(), true,
                frameId, false);
    }

    private DeviceLink requireDevice(String operation) {
        DeviceLink link = parts.device();
        if (link == null) {
            throw new SharedMemoryException("cannot " + operation + " '" + name() + "': it is a CPU stream");
        }
        return link;
    }

    private static Long devicePointer(long pointer) {
        if (pointer == 0) {
            throw new IllegalArgumentException("device pointer is null (0)");
        }
        return pointer;
    }

    // ------------------------------------------------------------------ discovery and configuration

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
        return Description.of(this);
    }

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
        return MultiLock.acquire(handles, timeout);
    }

    @Override
    public String toString() {
        return "SharedMemory[" + name() + ", " + dtype().numpyName() + java.util.Arrays.toString(descriptor.shape())
                + (owner() ? ", owner" : "") + (readOnly() ? ", read-only" : "")
                + (parts.guard().closed() ? ", closed" : "") + "]";
    }
}

package io.arrowshm;

import io.arrowshm.internal.posix.FaultBarrier;
import io.arrowshm.internal.posix.Processes;
import io.arrowshm.internal.ring.CursorTable;
import io.arrowshm.internal.ring.RingClock;
import io.arrowshm.internal.ring.RingCursor;
import io.arrowshm.internal.ring.RingDiscovery;
import io.arrowshm.internal.ring.RingFiles;
import io.arrowshm.internal.ring.RingGeometry;
import io.arrowshm.internal.ring.RingMemory;
import io.arrowshm.internal.ring.RingNames;
import io.arrowshm.internal.ring.RingPublisher;
import io.arrowshm.internal.stream.OperationGuard;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A named ring stream on this host: {@code capacity} slots, each one C-order tensor of the
 * ring's dtype and shape, written by one {@link RingWriter} at a time and read through named,
 * durable cursors ({@link RingReader}), in this process, other JVMs, or Python with the
 * {@code arrow_shm} package. Where a {@link SharedMemory} stream keeps only the latest frame, a
 * ring keeps the last {@code capacity}: every frame reaches every blocking cursor, in order,
 * exactly once ({@link Overflow#BLOCK}), or a reader that falls behind learns exactly how many
 * frames it lost ({@link Overflow#OVERWRITE}). The format is {@code docs/ring-format.md}.
 *
 * <pre>{@code
 * Ring ring = Ring.create("frames", RingOptions.of(DType.FLOAT32, 480, 640).capacity(64).overflow(Overflow.BLOCK));
 * try (RingWriter w = ring.writer(); RingReader r = ring.reader("trainer")) {
 *     w.write(new float[480 * 640], 7L);                          // position 0, frame id 7
 *     try (RingFrame f = r.take(Duration.ofSeconds(1))) {
 *         System.out.println(f.position() + " " + f.frameId() + " lost " + f.lost());
 *     }
 * }
 * ring.close();
 * Ring.unlink("frames");                                        // rings outlive processes otherwise
 * }</pre>
 *
 * <p>Ownership: the handle owns its mapping reference and the cursor table's lock file, and
 * keeps them until its last reader or writer is released; every lease and batch holds its own
 * reference to the mapping, so closing any of them, twice or from another thread, never unmaps
 * what another still uses. {@link #close()} closes the handle's readers and writers too (their
 * waits end with {@link IllegalStateException}). The handle is safe to share between threads.
 */
public final class Ring implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();
    /** The writer lease is waited for this long by {@link #writer()}. */
    static final Duration DEFAULT_WRITER_WAIT = Duration.ofSeconds(5);
    /** The cursor table lock is waited for this long when a reader attaches. */
    private static final Duration TABLE_WAIT = Duration.ofSeconds(5);

    private final RingNames names;
    private final RingGeometry geometry;
    private final RingMemory memory;
    private final CursorTable table;
    private final OperationGuard guard;
    private final Set<AutoCloseable> children = ConcurrentHashMap.newKeySet();

    private Ring(RingNames names, RingFiles.Opened opened) {
        this.names = names;
        this.geometry = opened.geometry();
        this.memory = new RingMemory(opened.mapping(), geometry);
        this.table = new CursorTable(names, geometry, memory.words(), () -> memory.stillNamed(names.segment()));
        this.guard = new OperationGuard(names.name(), "ring '" + names.name() + "'",
                "reopen it with Ring.open(\"" + names.name() + "\")", this::release);
    }

    /**
     * Creates the ring {@code name} (1 to 256 UTF-8 bytes): the file is complete before the name
     * appears, so no one ever opens a half-made ring.
     *
     * @throws StreamExistsException when a ring, or a stream, has the name
     * @throws SharedMemoryFullException when /dev/shm cannot hold it
     * @throws IllegalArgumentException for a bad name, or a ring too large to address
     */
    public static Ring create(String name, RingOptions options) {
        RingNames names = RingNames.of(name);
        names.checkStorable();
        long slotSize = options.slotSize();
        byte[] instance = new byte[16];
        do {
            RANDOM.nextBytes(instance);
        } while (Arrays.equals(instance, new byte[16]));
        RingGeometry geometry = new RingGeometry(name, options.dtype(), options.shape(), slotSize,
                options.capacity(), options.maxCursors(), options.overflow(), Processes.currentPid(),
                RingClock.epochNanos(), instance);
        if (slotSize >= (1L << 62) / options.capacity() || geometry.segmentSize() >= (1L << 62)) {
            throw new IllegalArgumentException("ring '" + name + "' of " + options + " would need more than 2^62 bytes");
        }
        return new Ring(names, RingFiles.create(names, geometry));
    }

    /**
     * Opens the ring {@code name}, validating its header (ring-format §3).
     *
     * @throws StreamNotFoundException when there is no such ring (the message says when a stream has the name)
     * @throws InvalidMetadataException naming the field that failed
     * @throws UntrustedFileException when the name holds a link, FIFO or another user's file
     */
    public static Ring open(String name) {
        RingNames names = RingNames.of(name);
        return new Ring(names, RingFiles.open(names, true));
    }

    /**
     * Removes the ring {@code name} (its current generation) and its lock files; absent is fine.
     * Open handles keep working on the removed ring until they close.
     *
     * @return whether a ring was removed
     */
    public static boolean unlink(String name) {
        return RingFiles.unlink(RingNames.of(name), null);
    }

    /** The names of every ring on this host, sorted. pyshmem streams are not listed (see {@link SharedMemory#listStreams()}). */
    public static List<String> list() {
        return RingDiscovery.list();
    }

    /** What the ring {@code name} holds now: header, write position, writer, and each cursor (probed for liveness). */
    public static RingInfo stat(String name) {
        try (Ring ring = open(name)) {
            return ring.info();
        }
    }

    /**
     * Removes every ring on this host, the temporary files of creators that died, and lock files
     * no generation uses any more; returns the names of the rings removed.
     */
    public static List<String> purge() {
        return RingDiscovery.purge();
    }

    // ------------------------------------------------------------------ facts

    public String name() {
        return names.name();
    }

    public DType dtype() {
        return geometry.dtype();
    }

    /** The shape of one slot's tensor (a copy). */
    public long[] shape() {
        return geometry.shape();
    }

    /** Bytes of one slot: prod(shape) * itemsize. */
    public long size() {
        return geometry.slotSize();
    }

    public long capacity() {
        return geometry.capacity();
    }

    public Overflow overflow() {
        return geometry.overflow();
    }

    public int maxCursors() {
        return geometry.maxCursors();
    }

    /** This generation's instance id, 32 hex digits. */
    public String instanceId() {
        return HexFormat.of().formatHex(geometry.instanceId());
    }

    public long creatorPid() {
        return geometry.creatorPid();
    }

    /** Positions written so far: the position the next write gets. */
    public long writePosition() {
        guard.enter("read the write position of");
        try {
            long position = memory.words().writePositionAcquire();
            FaultBarrier.deliverPending();
            return position;
        } catch (RuntimeException | Error e) {
            throw guard.fault(e, "read the write position of");
        } finally {
            guard.exit();
        }
    }

    /** The oldest position the ring still holds: {@code max(0, writePosition() - capacity())}. */
    public long oldestPosition() {
        return Math.max(0, writePosition() - capacity());
    }

    // ------------------------------------------------------------------ writer and readers

    /**
     * Takes the ring's writer lease, waiting up to 5 s for another writer to close.
     *
     * @throws StreamTimeoutException naming the other writer's pid
     */
    public RingWriter writer() {
        return writer(DEFAULT_WRITER_WAIT);
    }

    /**
     * Takes the ring's writer lease, waiting at most {@code timeout} for another writer; the new
     * writer continues at the write position (a position a dead writer left half-written is
     * abandoned, and readers skip it).
     */
    public RingWriter writer(Duration timeout) {
        long deadline = Arguments.deadline(timeout);
        guard.enter("open a writer of"); // held until the writer is released: the ring's memory outlives it
        boolean made = false;
        try {
            Child child = new Child();
            OperationGuard writerGuard = new OperationGuard(name(), "ring writer of '" + name() + "'",
                    "open a new one with ring.writer()", child::release);
            child.publisher = RingPublisher.acquire(names, geometry, memory.words(), table, writerGuard,
                    WaitStrategy.defaults(), () -> memory.stillNamed(names.segment()), deadline);
            RingWriter writer = new RingWriter(this, memory, child.publisher, writerGuard);
            child.owner = writer;
            children.add(writer);
            FaultBarrier.deliverPending();
            made = true;
            return writer;
        } catch (RuntimeException | Error e) {
            throw guard.fault(e, "open a writer of");
        } finally {
            if (!made) {
                guard.exit();
            }
        }
    }

    /** Attaches a reader to the cursor {@code cursor} with {@link CursorOptions#defaults()}. */
    public RingReader reader(String cursor) {
        return reader(cursor, CursorOptions.defaults());
    }

    /**
     * Attaches a reader to the named cursor, creating it (at {@code options.start()}) if it does not
     * exist; an existing cursor resumes at its position.
     *
     * @throws CursorInUseException when another reader holds the cursor
     * @throws IllegalArgumentException for a blank name, a NUL, or more than 64 UTF-8 bytes
     */
    public RingReader reader(String cursor, CursorOptions options) {
        CursorTable.encodeName(cursor);
        guard.enter("open a reader of"); // held until the reader is released: the ring's memory outlives it
        boolean made = false;
        try {
            int start = options.start().ordinal();
            CursorTable.Attachment attachment = table.attach(cursor, start, options.blocking(), options.graceNanos(),
                    Arguments.deadline(TABLE_WAIT));
            Child child = new Child();
            child.attachment = attachment;
            OperationGuard readerGuard = new OperationGuard(name(), "ring reader '" + cursor + "' of '" + name() + "'",
                    "attach a new one with ring.reader(\"" + cursor + "\")", child::release);
            RingCursor state = new RingCursor(names, cursor, geometry, memory.words(), readerGuard,
                    options.waitStrategy(), attachment, options.blocking());
            RingReader reader = new RingReader(this, cursor, memory, state, readerGuard);
            child.owner = reader;
            children.add(reader);
            FaultBarrier.deliverPending();
            made = true;
            return reader;
        } catch (RuntimeException | Error e) {
            throw guard.fault(e, "open a reader of");
        } finally {
            if (!made) {
                guard.exit();
            }
        }
    }

    /** Every named cursor, each probed for liveness. */
    public List<CursorInfo> cursors() {
        guard.enter("list the cursors of");
        try {
            long writePosition = memory.words().writePositionAcquire();
            List<CursorInfo> cursors = new ArrayList<>();
            for (CursorTable.Entry e : table.describe()) {
                cursors.add(new CursorInfo(e.name(), e.position(), Math.max(0, writePosition - e.position()),
                        e.pid() == 0 ? Optional.empty() : Optional.of(e.pid()), e.live(), e.blocking(),
                        e.untethered(), e.detachedNanos(), e.graceNanos(), e.attachCount()));
            }
            FaultBarrier.deliverPending();
            return cursors;
        } catch (RuntimeException | Error e) {
            throw guard.fault(e, "list the cursors of");
        } finally {
            guard.exit();
        }
    }

    /**
     * Removes the named cursor and its position, so it no longer holds a writer back nor resumes.
     *
     * @return false when there was no such cursor
     * @throws CursorInUseException when a live reader is attached to it
     */
    public boolean dropCursor(String cursor) {
        guard.enter("drop a cursor of");
        try {
            boolean dropped = table.drop(cursor, Arguments.deadline(TABLE_WAIT));
            FaultBarrier.deliverPending();
            return dropped;
        } catch (RuntimeException | Error e) {
            throw guard.fault(e, "drop a cursor of");
        } finally {
            guard.exit();
        }
    }

    /** Everything {@link #stat} reports, from this handle. */
    public RingInfo info() {
        List<CursorInfo> cursors = cursors();
        guard.enter("describe");
        try {
            long writerPid = memory.words().writerPid();
            long writePosition = memory.words().writePositionAcquire();
            FaultBarrier.deliverPending();
            return new RingInfo(name(), dtype(), shape(), size(), capacity(), overflow(), maxCursors(),
                    writePosition, writerPid, writerPid != 0 && Processes.isAlive(writerPid),
                    creatorPid(), Processes.isAlive(creatorPid()), instanceId(), geometry.createdNanos(), cursors);
        } catch (RuntimeException | Error e) {
            throw guard.fault(e, "describe");
        } finally {
            guard.exit();
        }
    }

    /**
     * Removes this ring's name if it still names this handle's generation.
     *
     * @throws StaleStreamException when the name now holds a newer ring
     */
    public void unlink() {
        if (!RingFiles.unlink(names, geometry.instanceId()) && RingFiles.exists(name())) {
            throw new StaleStreamException("ring '" + name() + "' has been replaced by a newer generation; use"
                    + " Ring.unlink(\"" + name() + "\") to remove that one");
        }
    }

    public boolean isClosed() {
        return guard.closed();
    }

    /**
     * Closes every reader and writer made from this handle (their waits end), then the handle;
     * the mapping goes when the last lease or batch is closed too. Closing twice is harmless.
     */
    @Override
    public void close() {
        for (AutoCloseable child : children) {
            try {
                child.close();
            } catch (Exception e) {
                // a child's close never throws; keep closing the others
            }
        }
        guard.close();
    }

    void forget(AutoCloseable child) {
        children.remove(child);
    }

    private void release() {
        try {
            table.close();
        } finally {
            memory.release();
        }
    }

    @Override
    public String toString() {
        return "Ring[" + name() + ", " + dtype().numpyName() + " " + Arrays.toString(geometry.shape()) + " x "
                + capacity() + ", " + overflow() + "]";
    }

    /**
     * What one reader or writer holds, given back by its guard's release once it is closed and
     * idle: its lease or cursor, then its count in the ring's guard, which keeps the ring's
     * memory and cursor table until the last child is gone.
     */
    private final class Child {
        RingPublisher publisher;
        CursorTable.Attachment attachment;
        AutoCloseable owner;

        void release() {
            try {
                // Both give their locks back even when the ring's memory faults (a truncated file).
                if (publisher != null) {
                    publisher.close();
                }
                if (attachment != null) {
                    table.detach(attachment.index(), attachment.lock());
                }
            } finally {
                forget(owner);
                guard.exit();
            }
        }
    }
}

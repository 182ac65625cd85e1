package io.arrowshm.internal.stream;

import io.arrowshm.DType;
import io.arrowshm.InvalidMetadataException;
import io.arrowshm.SharedMemoryException;
import io.arrowshm.StaleStreamException;
import io.arrowshm.StreamExistsException;
import io.arrowshm.StreamNotFoundException;
import io.arrowshm.StreamTimeoutException;
import io.arrowshm.internal.format.Metadata;
import io.arrowshm.internal.format.MetadataLayout;
import io.arrowshm.internal.format.StreamDescriptor;
import io.arrowshm.internal.format.StreamNames;
import io.arrowshm.internal.posix.LockFile;
import io.arrowshm.internal.ring.RingFiles;
import io.arrowshm.internal.posix.FaultBarrier;
import io.arrowshm.internal.posix.Mapping;
import io.arrowshm.internal.posix.Processes;
import io.arrowshm.internal.posix.SegmentExistsException;
import io.arrowshm.internal.posix.Segments;
import io.arrowshm.spi.DevicePayload;
import io.arrowshm.spi.DeviceRequest;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * Creating, attaching and removing streams, in pyshmem's order and under its name lock
 * (spec §1.1, §5). What it returns is owned by the caller; on any failure it removes or
 * unmaps whatever it had made.
 */
public final class Lifecycle {
    /** pyshmem re-validates a header that looks torn for this long before giving up (spec §5 step 3). */
    static final long VALIDATE_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    /** The field named when lock_owner_pid and lock_depth disagree (see {@link #validatedUnderLock}). */
    private static final String LOCK_PAIR_FIELD = "lock_depth";
    /** How long a check of that pair waits for the lock before believing the header is corrupt. */
    static final long LOCK_PAIR_WAIT_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** How long open() keeps retrying while the name keeps moving to new generations under it. */
    static final long GENERATION_RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final SecureRandom RANDOM = new SecureRandom();

    private Lifecycle() {
    }

    /**
     * Creates the data segment (zero-filled, reserved), then the v3 metadata, under the name's
     * lock. Magic, version and header size land first so a concurrent pyshmem {@code open}
     * that sees them retries instead of failing.
     */
    public static Attached create(StreamNames names, DType dtype, long[] shape, long size, int featureFlags) {
        return create(names, dtype, shape, size, featureFlags, -1, null);
    }

    /**
     * {@link #create(StreamNames, DType, long[], long, int)} for a GPU stream when
     * {@code allocate} is given: after the data segment, the device payload is allocated and
     * its record written as the {@code _gpu} segment, all before the metadata (pyshmem's order,
     * spec §1.1), and the metadata carries {@code deviceIndex}.
     */
    public static Attached create(StreamNames names, DType dtype, long[] shape, long size, int featureFlags,
                                  int deviceIndex, Function<DeviceRequest, DevicePayload> allocate) {
        names.checkStorable();
        LockFile lock = LockFile.retain(names.lockPath());
        boolean handedOver = false;
        try {
            lock.lock();
            try {
                Attached attached = createLocked(names, dtype, shape, size, featureFlags, deviceIndex, allocate, lock);
                handedOver = true;
                return attached;
            } finally {
                lock.unlock();
            }
        } finally {
            if (!handedOver) {
                lock.releaseReference();
            }
        }
    }

    private static Attached createLocked(StreamNames names, DType dtype, long[] shape, long size, int featureFlags,
                                         int deviceIndex, Function<DeviceRequest, DevicePayload> allocate,
                                         LockFile lock) {
        if (RingFiles.exists(names.name())) {
            // Rings hold this same lock while they check for a stream and link themselves into place.
            throw new StreamExistsException("'" + names.name() + "' is already a ring; a stream cannot take its name:"
                    + " pick another name, or remove the ring with Ring.unlink(\"" + names.name() + "\")");
        }
        Mapping data;
        try {
            data = Segments.create(names.dataSegment(), size);
        } catch (SegmentExistsException e) {
            throw exists(names);
        }
        Mapping metadata = null;
        DevicePayload device = null;
        boolean recordWritten = false;
        try {
            if (allocate != null) {
                device = allocate.apply(new DeviceRequest(names.name(), deviceIndex, dtype, shape, size,
                        Processes.currentPid()));
                try {
                    DeviceSeam.writeRecord(names.gpuSegment(), device.handleRecord());
                } catch (SegmentExistsException e) {
                    throw exists(names);
                }
                recordWritten = true;
            }
            try {
                metadata = Segments.create(names.metaSegment(), MetadataLayout.TOTAL_LENGTH);
            } catch (SegmentExistsException e) {
                throw exists(names);
            }
            byte[] header = Metadata.encode(names.name(), dtype, shape, size, featureFlags, deviceIndex,
                    Processes.currentPid(), newInstanceId());
            ByteBuffer target = metadata.byteBuffer(0, MetadataLayout.TOTAL_LENGTH);
            int prefix = MetadataLayout.HEADER_SIZE_OFFSET + 2;
            target.put(0, header, 0, prefix);
            target.put(prefix, header, prefix, header.length - prefix);
            StreamDescriptor descriptor = Metadata.validate(names.name(), header, MetadataLayout.TOTAL_LENGTH);
            return new Attached(names, descriptor, metadata, data, lock, true, false, device);
        } catch (RuntimeException | Error e) {
            data.close();
            Segments.delete(names.dataSegment());
            if (recordWritten) {
                Segments.delete(names.gpuSegment());
            }
            if (device != null) {
                device.close();
            }
            if (metadata != null) {
                metadata.close();
                Segments.delete(names.metaSegment());
            }
            throw e;
        }
    }

    /**
     * Attaches an existing stream: spec §5 steps 1–4. Layout errors fail at once; field errors
     * are re-checked on fresh copies for 50 ms, as a writer may be between two stores.
     */
    public static Attached open(StreamNames names, boolean readOnly) {
        long deadline = System.nanoTime() + GENERATION_RETRY_NANOS;
        while (true) {
            Attached attached = openOnce(names, readOnly);
            if (Segments.stillNames(names.metaSegment(), attached.metadata())) {
                return attached;
            }
            // The name moved to a newer generation while we mapped: the data segment we mapped may be
            // the new one. The metadata file still being the name's afterwards proves it was not,
            // since a generation's segments are created and removed under the name's lock.
            attached.release();
            if (System.nanoTime() - deadline >= 0) {
                throw new SharedMemoryException("stream '" + names.name() + "' was replaced by new generations"
                        + " faster than it could be opened; try again");
            }
            Thread.onSpinWait();
        }
    }

    private static Attached openOnce(StreamNames names, boolean readOnly) {
        String name = names.name();
        Mapping metadata = Segments.open(names.metaSegment(), !readOnly);
        if (metadata == null) {
            throw missing(name);
        }
        Mapping data = null;
        try {
            StreamDescriptor descriptor = validated(name, metadata);
            data = Segments.open(names.dataSegment(), !readOnly);
            if (data == null) {
                throw missing(name);
            }
            if (data.length() < descriptor.size()) {
                throw new InvalidMetadataException("size", "data segment for '" + name
                        + "' is smaller than its metadata declares: need at least " + descriptor.size() + ", got "
                        + data.length() + "; remove the stream with SharedMemory.unlink(\"" + name
                        + "\") and create it again");
            }
            LockFile lock = LockFile.retain(names.lockPath());
            return new Attached(names, descriptor, metadata, data, lock, false, readOnly);
        } catch (RuntimeException | Error e) {
            metadata.close();
            if (data != null) {
                data.close();
            }
            throw e;
        }
    }

    /** Validates the metadata without mapping the payload (what {@code stat} and discovery need). */
    public static StreamDescriptor validated(String name, Mapping metadata) {
        Metadata.detectLayout(name, snapshot(metadata), metadata.length());
        long deadline = System.nanoTime() + VALIDATE_RETRY_NANOS;
        while (true) {
            try {
                return Metadata.validate(name, snapshot(metadata), metadata.length());
            } catch (InvalidMetadataException e) {
                if (System.nanoTime() - deadline >= 0) {
                    if (LOCK_PAIR_FIELD.equals(e.field())) {
                        return validatedUnderLock(name, metadata, e);
                    }
                    throw e;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
        }
    }

    /**
     * lock_owner_pid and lock_depth are two plain stores that every lock holder makes while it
     * holds the lock; a holder preempted between them (on a loaded machine, for longer than the
     * 50 ms of re-checks) leaves the pair inconsistent meanwhile. Under the lock no holder is
     * between the stores, so one more check there tells a live writer from a corrupt header.
     */
    private static StreamDescriptor validatedUnderLock(String name, Mapping metadata, InvalidMetadataException seen) {
        LockFile lock = LockFile.retain(StreamNames.of(name).lockPath());
        try {
            lock.lock(System.nanoTime() + LOCK_PAIR_WAIT_NANOS, name);
        } catch (StreamTimeoutException held) {
            lock.releaseReference();
            throw seen;
        }
        try {
            return Metadata.validate(name, snapshot(metadata), metadata.length());
        } finally {
            lock.unlock();
            lock.releaseReference();
        }
    }

    /** A private copy of the segment's first 512 bytes (fewer if it is shorter). */
    public static byte[] snapshot(Mapping metadata) {
        int length = (int) Math.min(metadata.length(), MetadataLayout.TOTAL_LENGTH);
        byte[] copy = new byte[length];
        if (length > 0) {
            try {
                metadata.byteBuffer(0, length).get(0, copy);
                FaultBarrier.deliverPending();
            } catch (InternalError e) {
                throw new SharedMemoryException("a metadata segment is no longer backed (truncated by another"
                        + " process while it was read); unlink and recreate the stream", e);
            }
        }
        return copy;
    }

    /**
     * Removes the name's segments (data, metadata, gpu) under its lock. With an expected
     * instance id, refuses when the name now holds another generation.
     */
    public static void unlink(StreamNames names, byte[] expectedInstanceId) {
        LockFile lock = LockFile.retain(names.lockPath());
        try {
            lock.lock();
            try {
                if (expectedInstanceId != null) {
                    byte[] current = currentInstanceId(names);
                    if (current != null && !Arrays.equals(current, expectedInstanceId)) {
                        throw new StaleStreamException("stream '" + names.name()
                                + "' has been replaced by a newer generation; this handle's stream is already gone"
                                + " (use SharedMemory.unlink(\"" + names.name() + "\") to remove the new one)");
                    }
                }
                Segments.deleteAll(names.dataSegment(), names.metaSegment(), names.gpuSegment());
            } finally {
                lock.unlock();
            }
        } finally {
            lock.releaseReference();
        }
    }

    /** The instance id stored under the name now, or null when none is readable. */
    public static byte[] currentInstanceId(StreamNames names) {
        try (Mapping metadata = Segments.open(names.metaSegment(), false)) {
            if (metadata == null || metadata.length() < MetadataLayout.HEADER_LENGTH) {
                return null;
            }
            byte[] bytes = snapshot(metadata);
            if (!Arrays.equals(bytes, 0, 8, MetadataLayout.MAGIC, 0, 8)) {
                return null;
            }
            int flags = ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt(MetadataLayout.FLAGS_OFFSET);
            if ((flags & MetadataLayout.FLAG_INSTANCE_ID) == 0) {
                return null;
            }
            return Arrays.copyOfRange(bytes, MetadataLayout.INSTANCE_ID_OFFSET,
                    MetadataLayout.INSTANCE_ID_OFFSET + MetadataLayout.INSTANCE_ID_LENGTH);
        }
    }

    private static byte[] newInstanceId() {
        byte[] id = new byte[MetadataLayout.INSTANCE_ID_LENGTH];
        do {
            RANDOM.nextBytes(id);
        } while (Arrays.equals(id, new byte[id.length]));
        return id;
    }

    private static StreamExistsException exists(StreamNames names) {
        return new StreamExistsException("shared memory '" + names.name() + "' already exists; use SharedMemory.open(\""
                + names.name() + "\") to attach to it, or SharedMemory.unlink(\"" + names.name() + "\") first");
    }

    public static StreamNotFoundException missing(String name) {
        if (RingFiles.exists(name)) {
            return new StreamNotFoundException("'" + name + "' is a ring, not a stream; open it with Ring.open(\""
                    + name + "\")");
        }
        return new StreamNotFoundException("shared memory '" + name + "' does not exist; create it with "
                + "SharedMemory.create(\"" + name + "\", ...) first");
    }
}

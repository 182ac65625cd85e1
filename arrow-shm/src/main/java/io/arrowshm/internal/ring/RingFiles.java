package io.arrowshm.internal.ring;

import io.arrowshm.StreamExistsException;
import io.arrowshm.StreamNotFoundException;
import io.arrowshm.internal.format.StreamNames;
import io.arrowshm.internal.posix.LockFile;
import io.arrowshm.internal.posix.Mapping;
import io.arrowshm.internal.posix.Processes;
import io.arrowshm.internal.posix.SegmentExistsException;
import io.arrowshm.internal.posix.Segments;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * Creating, opening and removing ring segments (ring-format §9): a ring appears under its name
 * only complete (written under a temporary name, then linked), under pyshmem's stream lock of
 * the same name so that a ring and a stream never share a name through arrow-shm.
 */
public final class RingFiles {
    /** Create and unlink wait this long for the name's stream lock (a stopped holder must not hang them). */
    private static final long NAME_LOCK_WAIT_NANOS = 30_000_000_000L;

    private static final SecureRandom RANDOM_SUFFIX = new SecureRandom();

    private RingFiles() {
    }

    /** A mapped, validated ring file: the caller owns the mapping. */
    public record Opened(Mapping mapping, RingGeometry geometry) {
    }

    /**
     * Creates the ring: the temporary file, its header, the link to the final name.
     *
     * @throws StreamExistsException when a ring or a pyshmem stream has the name
     */
    public static Opened create(RingNames names, RingGeometry geometry) {
        names.checkStorable();
        LockFile nameLock = LockFile.retain(names.stream().lockPath());
        try {
            nameLock.lock(System.nanoTime() + NAME_LOCK_WAIT_NANOS, names.name());
            try {
                return createLocked(names, geometry);
            } finally {
                nameLock.unlock();
            }
        } finally {
            nameLock.releaseReference();
        }
    }

    private static Opened createLocked(RingNames names, RingGeometry geometry) {
        if (Segments.exists(names.stream().metaSegment())) {
            throw new StreamExistsException("'" + names.name() + "' is already a stream (" + names.stream().base()
                    + "); a ring cannot take its name: pick another name, or remove the stream with"
                    + " SharedMemory.unlink(\"" + names.name() + "\")");
        }
        String temporary = names.temporarySegment(Processes.currentPid(), RANDOM_SUFFIX.nextInt());
        Mapping mapping;
        try {
            mapping = Segments.create(temporary, geometry.segmentSize());
        } catch (SegmentExistsException e) {
            throw new IllegalStateException("a temporary ring file " + temporary + " already exists", e);
        }
        try {
            byte[] header = RingHeader.encode(geometry);
            mapping.byteBuffer(0, header.length).put(0, header);
            try {
                Files.createLink(Segments.path(names.segment()), Segments.path(temporary));
            } catch (FileAlreadyExistsException e) {
                throw exists(names);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot link ring " + names + " into place", e);
            }
            return new Opened(mapping, geometry);
        } catch (RuntimeException | Error e) {
            mapping.close();
            throw e;
        } finally {
            Segments.deleteAll(temporary); // linked or not, the temporary name goes
        }
    }

    /**
     * Maps and validates the ring named {@code names}.
     *
     * @throws StreamNotFoundException when there is none (saying so when a stream has the name)
     * @throws io.arrowshm.InvalidMetadataException when its header fails validation
     * @throws io.arrowshm.UntrustedFileException when the name holds a file we must not use
     */
    public static Opened open(RingNames names, boolean writable) {
        Mapping mapping = Segments.open(names.segment(), writable);
        if (mapping == null) {
            throw missing(names);
        }
        try {
            byte[] header = new byte[RingDescriptor.WRITE_POSITION_OFFSET];
            if (mapping.length() >= RingDescriptor.HEADER_SIZE) {
                mapping.byteBuffer(0, header.length).get(0, header);
            }
            RingGeometry geometry = RingHeader.validate(names.name(), header, mapping.length(), names.name());
            return new Opened(mapping, geometry);
        } catch (RuntimeException | Error e) {
            mapping.close();
            throw e;
        }
    }

    /**
     * Removes the ring's name and its generation's lock files, under the stream lock; absent is
     * fine. With {@code expectedInstance}, only that generation is removed.
     *
     * @return whether a ring was removed
     */
    public static boolean unlink(RingNames names, byte[] expectedInstance) {
        LockFile nameLock = LockFile.retain(names.stream().lockPath());
        try {
            nameLock.lock(System.nanoTime() + NAME_LOCK_WAIT_NANOS, names.name());
            try {
                byte[] instance = storedInstance(names.segment());
                if (expectedInstance != null && (instance == null || !Arrays.equals(instance, expectedInstance))) {
                    return false;
                }
                if (!exists(names.name())) {
                    return false;
                }
                Segments.delete(names.segment());
                if (instance != null) {
                    RingLockFiles.deleteGeneration(names, instance);
                }
                return true;
            } finally {
                nameLock.unlock();
            }
        } finally {
            nameLock.releaseReference();
        }
    }

    /** The instance id in the ring file {@code segment}, when its header is readable; null otherwise. */
    static byte[] storedInstance(String segment) {
        Mapping mapping;
        try {
            mapping = Segments.open(segment, false);
        } catch (RuntimeException e) {
            return null;
        }
        if (mapping == null) {
            return null;
        }
        try (mapping) {
            if (mapping.length() < RingDescriptor.HEADER_SIZE) {
                return null;
            }
            ByteBuffer header = mapping.byteBuffer(RingDescriptor.INSTANCE_ID_OFFSET, RingDescriptor.INSTANCE_ID_LENGTH);
            byte[] id = new byte[RingDescriptor.INSTANCE_ID_LENGTH];
            header.get(0, id);
            return id;
        }
    }

    static StreamExistsException exists(RingNames names) {
        return new StreamExistsException("ring '" + names.name() + "' already exists (" + Segments.path(names.segment())
                + "); open it with Ring.open(\"" + names.name() + "\") or remove it with Ring.unlink(\""
                + names.name() + "\")");
    }

    public static StreamNotFoundException missing(RingNames names) {
        StreamNames stream = names.stream();
        if (Segments.exists(stream.metaSegment())) {
            return new StreamNotFoundException("'" + names.name() + "' is a stream, not a ring; open it with"
                    + " SharedMemory.open(\"" + names.name() + "\")");
        }
        return new StreamNotFoundException("ring '" + names.name() + "' does not exist; create it with Ring.create(\""
                + names.name() + "\", RingOptions.of(...)) first");
    }

    /** Whether a ring file exists at the name (for the stream side's create check and error messages). */
    public static boolean exists(String name) {
        return Files.exists(Segments.path(RingNames.of(name).segment()), java.nio.file.LinkOption.NOFOLLOW_LINKS);
    }

}

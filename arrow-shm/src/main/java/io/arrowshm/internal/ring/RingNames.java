package io.arrowshm.internal.ring;

import io.arrowshm.internal.format.StreamNames;
import java.nio.file.Path;
import java.util.HexFormat;

/**
 * A ring name and the files derived from it (ring-format §1): the segment
 * {@code arrowshm_ring_<h14>} with the same 14-hex-digit hash pyshmem uses for streams, and the
 * generation's lock files in pyshmem's lock directory.
 */
public final class RingNames {
    private final StreamNames stream;
    private final String segment;

    private RingNames(StreamNames stream) {
        this.stream = stream;
        this.segment = RingDescriptor.SEGMENT_PREFIX + stream.base().substring(StreamNames.SEGMENT_PREFIX.length());
    }

    /**
     * @throws IllegalArgumentException for a null or blank name
     */
    public static RingNames of(String name) {
        return new RingNames(StreamNames.of(name));
    }

    /** @throws IllegalArgumentException when the name's UTF-8 form is longer than 256 bytes */
    public void checkStorable() {
        stream.checkStorable();
    }

    public String name() {
        return stream.name();
    }

    /** The pyshmem names of the same name: its stream lock serialises create and unlink (§9.1). */
    public StreamNames stream() {
        return stream;
    }

    /** {@code arrowshm_ring_<h14>}, the file under /dev/shm. */
    public String segment() {
        return segment;
    }

    /** A creator's private file name before the ring is linked into place. */
    public String temporarySegment(long pid, int random) {
        return segment + "." + pid + "." + String.format("%08x", random) + RingDescriptor.TEMP_SUFFIX;
    }

    public Path writerLock(byte[] instanceId) {
        return lockFile(instanceId, RingDescriptor.WRITER_LOCK_SUFFIX);
    }

    public Path tableLock(byte[] instanceId) {
        return lockFile(instanceId, RingDescriptor.TABLE_LOCK_SUFFIX);
    }

    public Path cursorLock(byte[] instanceId, int index) {
        return lockFile(instanceId, RingDescriptor.CURSOR_LOCK_INFIX + index + ".lock");
    }

    /** The prefix every lock file of this ring's generations starts with. */
    public String lockPrefix() {
        return segment + "-";
    }

    private Path lockFile(byte[] instanceId, String suffix) {
        return StreamNames.lockDirectory().resolve(lockPrefix() + HexFormat.of().formatHex(instanceId) + suffix);
    }

    /** Whether a /dev/shm file name has the exact shape of a ring segment. */
    public static boolean isSegment(String fileName) {
        String prefix = RingDescriptor.SEGMENT_PREFIX;
        if (fileName.length() != prefix.length() + StreamNames.HASH_HEX_CHARS || !fileName.startsWith(prefix)) {
            return false;
        }
        for (int i = prefix.length(); i < fileName.length(); i++) {
            char c = fileName.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return name() + " (" + segment + ")";
    }
}

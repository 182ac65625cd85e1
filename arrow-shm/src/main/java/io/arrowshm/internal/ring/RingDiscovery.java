package io.arrowshm.internal.ring;

import io.arrowshm.SharedMemoryException;
import io.arrowshm.UntrustedFileException;
import io.arrowshm.internal.posix.Mapping;
import io.arrowshm.internal.posix.Processes;
import io.arrowshm.internal.posix.Segments;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Finding rings in /dev/shm (ring-format §9.4): a candidate is a regular file of this user named
 * {@code arrowshm_ring_<14 hex>} whose header validates with a name hashing back to the file.
 * Anything else is skipped without being opened in a way that could block.
 */
public final class RingDiscovery {
    private RingDiscovery() {
    }

    /** Sorted (by code point) names of every valid ring. */
    public static List<String> list() {
        List<String> names = new ArrayList<>();
        for (String segment : files(RingDescriptor.SEGMENT_PREFIX + "*")) {
            if (RingNames.isSegment(segment)) {
                validatedName(segment).ifPresent(names::add);
            }
        }
        names.sort(Comparator.comparing((String name) -> name.codePoints().toArray(), java.util.Arrays::compare));
        return names;
    }

    /** Unlinks every valid ring, creators' temporary files whose pid is dead, and orphaned lock files. */
    public static List<String> purge() {
        List<String> removed = new ArrayList<>();
        for (String name : list()) {
            try {
                if (RingFiles.unlink(RingNames.of(name), null)) {
                    removed.add(name);
                }
            } catch (UntrustedFileException foreign) {
                // a stranger's file at the name is left alone
            }
        }
        for (String file : files(RingDescriptor.SEGMENT_PREFIX + "*" + RingDescriptor.TEMP_SUFFIX)) {
            long pid = creatorOf(file);
            if (pid > 0 && !Processes.isAlive(pid)) {
                try {
                    Segments.delete(file);
                } catch (UntrustedFileException | UncheckedIOException ignored) {
                    // not ours, or gone already
                }
            }
        }
        RingLockFiles.sweepOrphans();
        return removed;
    }

    /** The stored name when {@code segment} is a valid ring; empty otherwise. */
    static Optional<String> validatedName(String segment) {
        Mapping mapping;
        try {
            mapping = Segments.open(segment, false);
        } catch (SharedMemoryException | IllegalArgumentException e) {
            return Optional.empty();
        }
        if (mapping == null) {
            return Optional.empty();
        }
        try (mapping) {
            if (mapping.length() < RingDescriptor.HEADER_SIZE) {
                return Optional.empty();
            }
            byte[] header = new byte[RingDescriptor.WRITE_POSITION_OFFSET];
            mapping.byteBuffer(0, header.length).get(0, header);
            String stored = RingHeader.storedName(header, RingDescriptor.NAME_OFFSET, RingDescriptor.MAX_NAME_BYTES);
            if (stored == null || !RingNames.of(stored).segment().equals(segment)) {
                return Optional.empty();
            }
            RingHeader.validate(stored, header, mapping.length(), stored);
            return Optional.of(stored);
        } catch (SharedMemoryException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The pid in {@code arrowshm_ring_<h14>.<pid>.<hex>.tmp}, or -1. */
    private static long creatorOf(String file) {
        String[] parts = file.split("\\.");
        if (parts.length != 4 || !RingNames.isSegment(parts[0])) {
            return -1;
        }
        try {
            return Long.parseLong(parts[1]);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static List<String> files(String glob) {
        List<String> found = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(Segments.SHM_DIR, glob)) {
            for (Path file : files) {
                if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                    found.add(file.getFileName().toString());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + Segments.SHM_DIR, e);
        }
        return found;
    }
}

package io.arrowshm.internal.ring;

import io.arrowshm.internal.format.StreamNames;
import io.arrowshm.internal.posix.FlockFile;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;

/**
 * Removing a generation's lock files (ring-format §9.3, §9.4). A lock file someone still holds
 * may go: its holder keeps the lock on the unlinked file, and nobody new can reach that
 * generation by name any more.
 */
final class RingLockFiles {
    private RingLockFiles() {
    }

    /** Deletes every lock file of {@code names}' generation {@code instanceId}. */
    static void deleteGeneration(RingNames names, byte[] instanceId) {
        String prefix = names.lockPrefix() + HexFormat.of().formatHex(instanceId) + ".";
        forEachLockFile(prefix, file -> deleteQuietly(file));
    }

    /**
     * Deletes lock files of rings whose generation no longer exists and that nobody holds: what
     * a process killed while it unlinked, or a ring removed by hand, leaves behind.
     */
    static void sweepOrphans() {
        forEachLockFile(RingDescriptor.SEGMENT_PREFIX, file -> {
            String name = file.getFileName().toString();
            int dash = name.indexOf('-');
            int dot = name.indexOf('.', dash + 1);
            if (dash < 0 || dot < 0) {
                return;
            }
            String segment = name.substring(0, dash);
            String instance = name.substring(dash + 1, dot);
            if (!RingNames.isSegment(segment) || instance.length() != 2 * RingDescriptor.INSTANCE_ID_LENGTH) {
                return;
            }
            byte[] current = RingFiles.storedInstance(segment);
            if (current != null && HexFormat.of().formatHex(current).equals(instance)) {
                return; // the generation is alive
            }
            try (FlockFile lock = FlockFile.open(file)) {
                if (lock.tryLock()) {
                    deleteQuietly(file);
                }
            } catch (RuntimeException untrusted) {
                // not ours to touch
            }
        });
    }

    private interface FileAction {
        void apply(Path file);
    }

    private static void forEachLockFile(String prefix, FileAction action) {
        Path directory = StreamNames.lockDirectory();
        if (!Files.isDirectory(directory, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, prefix + "*")) {
            for (Path file : files) {
                if (Files.isRegularFile(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    action.apply(file);
                }
            }
        } catch (IOException e) {
            // an unreadable lock directory holds nothing we could clean
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // best effort: a leftover lock file holds no data
        }
    }
}

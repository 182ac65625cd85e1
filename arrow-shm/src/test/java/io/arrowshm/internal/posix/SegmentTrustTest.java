package io.arrowshm.internal.posix;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.arrowshm.DType;
import io.arrowshm.OpenOptions;
import io.arrowshm.SharedMemory;
import io.arrowshm.UntrustedFileException;
import io.arrowshm.internal.format.StreamNames;
import io.arrowshm.testing.Names;
import io.arrowshm.testing.PrivateShm;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A FIFO, symbolic link, directory or another user's file at a segment name: every public
 * operation answers at once, with a clear error or by skipping it (before the fix, a FIFO
 * made open, stat and listStreams block forever, and the others were used as segments).
 */
class SegmentTrustTest {
    private final String name = Names.unique("trust");
    private final StreamNames names = StreamNames.of(name);
    private Path planted;

    @AfterEach
    void cleanUp() throws Exception {
        if (planted != null) {
            Files.deleteIfExists(Path.of(planted + ".target"));
            if (Files.isDirectory(planted, LinkOption.NOFOLLOW_LINKS)) {
                Files.delete(planted);
            }
            Files.deleteIfExists(planted);
        }
        SharedMemory.unlink(name);
    }

    @ParameterizedTest(name = "{0} at the {1} segment")
    @CsvSource({"fifo, meta", "fifo, data", "symlink, meta", "symlink, data", "directory, meta", "directory, data",
            "foreign, meta", "foreign, data"})
    @Timeout(value = 20, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void everyOperationAnswersPromptly(String kind, String segment) throws Exception {
        SharedMemory.create(name, DType.UINT8, 8).close();
        boolean meta = segment.equals("meta");
        planted = Segments.path(meta ? names.metaSegment() : names.dataSegment());
        plant(kind, planted);
        String found = kind.equals("foreign") ? "owned by uid " + Special.OTHER_UID
                : kind.equals("fifo") ? "a FIFO" : kind.equals("symlink") ? "a symbolic link" : "a directory";

        for (OpenOptions options : List.of(OpenOptions.defaults(), OpenOptions.readOnly())) {
            UntrustedFileException e = assertThrows(UntrustedFileException.class, () -> SharedMemory.open(name, options));
            assertEquals(planted.toString(), e.path());
            assertTrue(e.getMessage().contains(planted.toString()) && e.getMessage().contains(found), e.getMessage());
        }
        if (meta) {
            UntrustedFileException e = assertThrows(UntrustedFileException.class, () -> SharedMemory.stat(name));
            assertTrue(e.getMessage().contains(found), e.getMessage());
            assertFalse(SharedMemory.listStreams().contains(name), "not a stream: skipped");
        } else {
            assertDoesNotThrow(() -> SharedMemory.stat(name), "stat reads only the metadata");
            assertTrue(SharedMemory.listStreams().contains(name));
        }
        UntrustedFileException e = assertThrows(UntrustedFileException.class, () -> SharedMemory.unlink(name));
        assertEquals(planted.toString(), e.path());
        assertTrue(Files.exists(planted, LinkOption.NOFOLLOW_LINKS), "not ours to remove");
        Path ours = Segments.path(meta ? names.dataSegment() : names.metaSegment());
        assertFalse(Files.exists(ours), "our own segment is removed all the same");
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void purgeSkipsSpecialFiles() throws Exception {
        assumeTrue(PrivateShm.available(), "needs `unshare -rm` (user and mount namespaces) for a private /dev/shm");
        StreamNames fifoMeta = StreamNames.of("fifo-meta");
        StreamNames fifoData = StreamNames.of("fifo-data");
        List<String> lines = PrivateShm.run(List.of(
                PrivateShm.javaPeer("create-write", "fifo-meta", "uint8", "1", "4"),
                PrivateShm.javaPeer("create-write", "fifo-data", "uint8", "1", "4"),
                "rm /dev/shm/" + fifoMeta.metaSegment() + " /dev/shm/" + fifoData.dataSegment(),
                "mkfifo /dev/shm/" + fifoMeta.metaSegment() + " /dev/shm/" + fifoData.dataSegment(),
                "timeout 30 " + PrivateShm.javaPeer("purge", "-"),
                "ls /dev/shm | sed 's/^/left /'"));
        assertEquals(java.util.Set.of("purged fifo-data", "left " + fifoData.dataSegment(),
                "left " + fifoMeta.dataSegment(), "left " + fifoMeta.metaSegment()), java.util.Set.copyOf(lines.stream().filter(line -> !line.equals("written")).toList()),
                "purge ended, and removed only streams' own files");
    }

    private static void plant(String kind, Path path) throws Exception {
        byte[] bytes = Files.readAllBytes(path);
        Files.delete(path);
        switch (kind) {
            case "fifo":
                Special.fifo(path);
                break;
            case "symlink":
                Files.createSymbolicLink(path, Files.write(Path.of(path + ".target"), bytes));
                break;
            case "directory":
                Files.createDirectory(path);
                break;
            case "foreign":
                Special.chownToOther(Files.write(path, bytes));
                break;
            default:
                throw new IllegalArgumentException(kind);
        }
    }
}

package io.arrowshm.internal.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The struct stat offsets agree with what the JDK reads for the same files. */
class FileStatTest {
    @TempDir
    Path dir;

    @Test
    void lstatMatchesTheJdkForEveryKindOfFile() throws Exception {
        Path file = Files.writeString(dir.resolve("file"), "x");
        Files.createLink(dir.resolve("second-name"), file); // st_nlink 2, not the default 1
        Path directory = Files.createDirectory(dir.resolve("dir"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), file);
        Path fifo = Special.fifo(dir.resolve("fifo"));
        for (Path path : new Path[] {file, directory, link, fifo}) {
            Map<String, Object> jdk = Files.readAttributes(path, "unix:dev,ino,nlink,uid,mode", LinkOption.NOFOLLOW_LINKS);
            FileStat stat = FileStat.ofLink(path.toString());
            assertEquals(((Number) jdk.get("dev")).longValue(), stat.device(), path + " dev");
            assertEquals(((Number) jdk.get("ino")).longValue(), stat.inode(), path + " ino");
            assertEquals(((Number) jdk.get("nlink")).longValue(), stat.linkCount(), path + " nlink");
            assertEquals(((Number) jdk.get("uid")).intValue(), stat.uid(), path + " uid");
            assertEquals(((Number) jdk.get("mode")).intValue(), stat.mode(), path + " mode");
        }
        assertEquals("a symbolic link", FileStat.ofLink(link.toString()).kind());
        assertEquals("a FIFO", FileStat.ofLink(fifo.toString()).kind());
        assertEquals("a directory", FileStat.ofLink(directory.toString()).kind());
        assertEquals(2, FileStat.ofLink(file.toString()).linkCount());
        assertNull(FileStat.ofLink(dir.resolve("absent").toString()));
    }

    @Test
    void fstatSeesTheOpenFileAndItsDeletion() throws Exception {
        Path file = Files.writeString(dir.resolve("file"), "x");
        long inode = ((Number) Files.getAttribute(file, "unix:ino")).longValue();
        int fd = LibC.open(file.toString(), LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
        try {
            FileStat stat = FileStat.ofDescriptor(fd);
            assertEquals(inode, stat.inode());
            assertEquals(1, stat.linkCount());
            assertTrue(stat.isRegularFile());
            assertEquals(LibC.geteuid(), stat.uid());
            Files.delete(file);
            assertEquals(0, FileStat.ofDescriptor(fd).linkCount(), "deleted while open");
        } finally {
            LibC.close(fd);
        }
    }
}

package io.arrowshm.internal.posix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hot calls give the same results through either binding: Surefire runs this from
 * target/classes (JNA on every JDK), the jar run on JDK 22+ from META-INF/versions/22 (FFM).
 */
class HotCallsTest {
    private static final String JNA = "JNA direct mapping";
    private static final String FFM = "FFM (java.lang.foreign)";
    private static final int EBADF = 9;
    private static final int ETIMEDOUT = 110;

    @TempDir
    Path dir;
    /** Native strings passed by address stay reachable until the test ends. */
    private final List<Memory> keep = new ArrayList<>();

    /** A JDK 22+ running the jar must load the FFM class, so the jar run cannot quietly test JNA. */
    @Test
    void theBindingIsTheOneForThisJdkAndWhereTheClassCameFrom() throws URISyntaxException {
        Path location = Path.of(HotCalls.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        boolean fromJar = Files.isRegularFile(location) && location.toString().endsWith(".jar");
        boolean versioned = fromJar && Runtime.version().feature() >= 22;
        assertEquals(versioned ? FFM : JNA, HotCalls.implementation(), "HotCalls from " + location);
        String expected = System.getProperty("arrowshm.hotcalls.expected");
        if (expected != null) { // set by the jar run (arrow-shm/pom.xml, failsafe)
            assertEquals(expected, HotCalls.implementation(), "HotCalls from " + location + " on JDK "
                    + Runtime.version().feature() + ": the jar run must test the FFM class");
        }
    }

    @Test
    void flockExcludesASecondDescriptorAndReportsErrno() throws Exception {
        String file = Files.writeString(dir.resolve("lock"), "").toString();
        int first = LibC.open(file, LibC.O_RDWR | LibC.O_CLOEXEC, 0);
        int second = LibC.open(file, LibC.O_RDWR | LibC.O_CLOEXEC, 0);
        try {
            assertEquals(0, HotCalls.flock(first, LibC.LOCK_EX | LibC.LOCK_NB));
            assertEquals(-LibC.EAGAIN, HotCalls.flock(second, LibC.LOCK_EX | LibC.LOCK_NB));
            // errno is per thread: another thread's failure leaves it, and its own is its own
            ExecutorService other = Executors.newSingleThreadExecutor();
            try {
                assertEquals(-EBADF, other.submit(() -> HotCalls.flock(-1, LibC.LOCK_UN)).get());
            } finally {
                other.shutdown();
            }
            assertEquals(-LibC.EAGAIN, HotCalls.flock(second, LibC.LOCK_EX | LibC.LOCK_NB));
            assertEquals(0, HotCalls.flock(first, LibC.LOCK_UN));
            assertEquals(0, HotCalls.flock(second, LibC.LOCK_EX | LibC.LOCK_NB));
            assertEquals(0, HotCalls.flock(second, LibC.LOCK_UN));
        } finally {
            LibC.close(first);
            LibC.close(second);
        }
    }

    @Test
    void fstatAndLstatFillTheStructOrReturnErrno() throws Exception {
        Path file = Files.writeString(dir.resolve("file"), "x");
        long inode = ((Number) Files.getAttribute(file, "unix:ino", LinkOption.NOFOLLOW_LINKS)).longValue();
        Memory stat = new Memory(FileStat.SIZE);
        int fd = LibC.open(file.toString(), LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
        try {
            assertEquals(0, HotCalls.fstat(fd, Pointer.nativeValue(stat)));
            assertEquals(inode, stat.getLong(FileStat.INO_OFFSET));
        } finally {
            LibC.close(fd);
        }
        assertEquals(-EBADF, HotCalls.fstat(-1, Pointer.nativeValue(stat)));

        stat.clear();
        assertEquals(0, HotCalls.lstat(cString(file.toString()), Pointer.nativeValue(stat)));
        assertEquals(inode, stat.getLong(FileStat.INO_OFFSET));
        assertEquals(-LibC.ENOENT, HotCalls.lstat(cString(dir.resolve("absent").toString()), Pointer.nativeValue(stat)));
    }

    @Test
    void futexWakesNobodyAndWaitReportsAChangedWordOrTheTimeout() {
        Memory word = new Memory(4);
        word.setInt(0, 7);
        Timespec timeout = Timespec.forCurrentThread();
        timeout.set(1_000_000);
        assertEquals(0, HotCalls.futexWake(Pointer.nativeValue(word), Integer.MAX_VALUE));
        assertEquals(-LibC.EAGAIN, HotCalls.futexWait(Pointer.nativeValue(word), 8, timeout.address()));
        assertEquals(-ETIMEDOUT, HotCalls.futexWait(Pointer.nativeValue(word), 7, timeout.address()));
    }

    @Test
    void memcpyCopiesBetweenAddresses() {
        byte[] bytes = new byte[4099];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i * 31 + 7);
        }
        Memory source = new Memory(bytes.length);
        Memory destination = new Memory(bytes.length);
        source.write(0, bytes, 0, bytes.length);
        HotCalls.memcpy(Pointer.nativeValue(destination), Pointer.nativeValue(source), bytes.length);
        assertArrayEquals(bytes, destination.getByteArray(0, bytes.length));
    }

    private long cString(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        Memory memory = new Memory(bytes.length + 1);
        memory.write(0, bytes, 0, bytes.length);
        memory.setByte(bytes.length, (byte) 0);
        keep.add(memory);
        return Pointer.nativeValue(memory);
    }
}

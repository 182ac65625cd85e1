package io.arrowshm.internal.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.StreamInterruptedException;
import io.arrowshm.StreamTimeoutException;
import io.arrowshm.UntrustedFileException;
import io.arrowshm.testing.Python;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lock directory and file are private and checked; a deleted or replaced lock file is
 * followed; waits end on interrupt. "Another process" holding the lock is an independent
 * open of the file here: flock excludes open file descriptions, not processes.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LockFileTest {
    @TempDir
    Path temp;

    private Path dir() {
        return temp.resolve("pyshmem-locks-test");
    }

    private Path lockPath() {
        return dir().resolve("ps_0123456789abcd.lock");
    }

    @Test
    void createsAPrivateDirectoryAndFile() throws Exception {
        LockFile lock = LockFile.retain(lockPath());
        try {
            assertEquals("rwx------", permissions(dir()));
            assertEquals("rw-------", permissions(lockPath()));
        } finally {
            lock.releaseReference();
        }
    }

    @Test
    void tightensPyshmemsLooserDirectoryAndFile() throws Exception {
        Files.createDirectories(dir(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Files.setPosixFilePermissions(dir(), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createFile(lockPath());
        Files.setPosixFilePermissions(lockPath(), PosixFilePermissions.fromString("rw-r--r--"));
        LockFile lock = LockFile.retain(lockPath());
        try {
            assertEquals("rwx------", permissions(dir()));
            assertEquals("rw-------", permissions(lockPath()));
        } finally {
            lock.releaseReference();
        }
    }

    @Test
    void refusesUntrustedDirectories() throws Exception {
        Path elsewhere = Files.createDirectory(temp.resolve("elsewhere"));
        refused(dir(), "a symbolic link", () -> Files.createSymbolicLink(dir(), elsewhere));
        refused(dir(), "a regular file", () -> Files.createFile(dir()));
        refused(dir(), "owned by uid " + Special.OTHER_UID, () -> Special.chownToOther(Files.createDirectory(dir())));
        refused(dir(), "a shared directory", () -> {
            Files.createDirectory(dir());
            Files.setPosixFilePermissions(dir(), PosixFilePermissions.fromString("rwxrwxrwx"));
            Special.run("chmod", "+t", dir().toString());
        });
    }

    @Test
    void refusesUntrustedLockFiles() throws Exception {
        Path target = Files.createFile(temp.resolve("target"));
        refused(lockPath(), "a symbolic link", () -> {
            Files.createDirectory(dir());
            Files.createSymbolicLink(lockPath(), target);
        });
        refused(lockPath(), "a FIFO", () -> Special.fifo(Files.createDirectory(dir()).resolve(lockPath().getFileName())));
        refused(lockPath(), "a directory", () -> Files.createDirectories(lockPath()));
        refused(lockPath(), "owned by uid " + Special.OTHER_UID, () -> {
            Files.createDirectory(dir());
            Special.chownToOther(Files.createFile(lockPath()));
        });
    }

    @Test
    void aDeletedLockFileIsReopenedBeforeTheNextAcquisition() throws Exception {
        LockFile lock = LockFile.retain(lockPath());
        try {
            lock.lock();
            lock.unlock();
            Files.delete(lockPath()); // a /tmp cleaner; pyshmem then makes a new file and locks it
            try (Holder other = Holder.lock(lockPath())) {
                assertThrows(StreamTimeoutException.class, () -> lock.lock(System.nanoTime() + 200_000_000L, "s"),
                        "the lock is held through the new file");
            }
            lock.lock(System.nanoTime() + 5_000_000_000L, "s");
            lock.unlock();
        } finally {
            lock.releaseReference();
        }
    }

    @Test
    void aReplacedLockFileIsReopenedBeforeTheNextAcquisition() throws Exception {
        LockFile lock = LockFile.retain(lockPath());
        try {
            lock.lock();
            lock.unlock();
            Path fresh = Files.createFile(dir().resolve("fresh"));
            Files.move(fresh, lockPath(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            try (Holder other = Holder.lock(lockPath())) {
                assertThrows(StreamTimeoutException.class, () -> lock.lock(System.nanoTime() + 200_000_000L, "s"));
            }
        } finally {
            lock.releaseReference();
        }
    }

    @Test
    void aLockFileDeletedWhileWaitingIsNotTrusted() throws Exception {
        LockFile lock = LockFile.retain(lockPath());
        try {
            Holder old = Holder.lock(lockPath());
            CompletableFuture<Void> waiter = CompletableFuture.runAsync(() -> {
                lock.lock(System.nanoTime() + 2_000_000_000L, "s");
                lock.unlock();
            });
            Thread.sleep(200); // the waiter has checked the file and is polling it
            Files.delete(lockPath());
            try (Holder fresh = Holder.lock(lockPath())) {
                old.close(); // the waiter gets the old file, sees it is gone, and must wait on the new one
                Exception e = assertThrows(Exception.class, () -> waiter.get(10, TimeUnit.SECONDS));
                assertInstanceOf(StreamTimeoutException.class, e.getCause(), "still excluded by the new file");
            }
        } finally {
            lock.releaseReference();
        }
    }

    @Test
    void lockEndsOnInterruptWhileAnotherProcessHoldsIt() throws Exception {
        interruptedWhileWaiting(LockFile::lock);
        interruptedWhileWaiting(lock -> lock.lock(System.nanoTime() + 60_000_000_000L, "s"));
    }

    @Test
    void lockEndsOnInterruptWhileAnotherThreadHoldsIt() throws Exception {
        LockFile lock = LockFile.retain(lockPath());
        try {
            lock.lock();
            try {
                for (Consumer<LockFile> attempt : java.util.List.<Consumer<LockFile>>of(LockFile::lock,
                        l -> l.lock(System.nanoTime() + 60_000_000_000L, "s"))) {
                    assertInterruptible(lock, attempt);
                }
            } finally {
                lock.unlock();
            }
        } finally {
            lock.releaseReference();
        }
    }

    @Test
    void pyshmemAndJavaExcludeEachOtherAfterTightening() throws Exception {
        String python = Python.executable();
        String script = String.join("\n",
                "import sys, time",
                "from pyshmem import _shared",
                "path = sys.argv[1]",
                "state = _shared._SharedLockState(path)",
                "print('opened', flush=True)",
                "sys.stdin.readline()",  // Java has tightened the files and holds the lock
                "try:",
                "    state.refresh_if_stale()",
                "    _shared._acquire_flock(state.file_handle.fileno(), timeout=0.3, poll_interval=0.001)",
                "    print('locked?!', flush=True)",
                "except TimeoutError:",
                "    print('excluded', flush=True)",
                "sys.stdin.readline()",  // Java has let go
                "state.refresh_if_stale()",
                "_shared._acquire_flock(state.file_handle.fileno(), timeout=5, poll_interval=0.001)",
                "print('locked', flush=True)",
                "sys.stdin.readline()",
                "");
        Process process = new ProcessBuilder(python, "-c", script, lockPath().toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (var out = new java.io.BufferedReader(new java.io.InputStreamReader(process.getInputStream()));
             var in = new java.io.PrintStream(process.getOutputStream(), true)) {
            assertEquals("opened", out.readLine());
            assertEquals("rwxr-xr-x", permissions(dir()), "pyshmem's own modes (umask 022)");
            assertEquals("rw-r--r--", permissions(lockPath()));
            LockFile lock = LockFile.retain(lockPath());
            try {
                assertEquals("rwx------", permissions(dir()));
                assertEquals("rw-------", permissions(lockPath()));
                lock.lock();
                in.println();
                assertEquals("excluded", out.readLine(), "pyshmem waits for Java");
                lock.unlock();
                in.println();
                assertEquals("locked", out.readLine());
                assertThrows(StreamTimeoutException.class, () -> lock.lock(System.nanoTime() + 300_000_000L, "s"),
                        "Java waits for pyshmem");
                in.println();
                assertEquals(0, process.waitFor());
                lock.lock(System.nanoTime() + 5_000_000_000L, "s");
                lock.unlock();
            } finally {
                lock.releaseReference();
            }
        } finally {
            process.destroyForcibly();
        }
    }

    private void interruptedWhileWaiting(Consumer<LockFile> attempt) throws Exception {
        LockFile lock = LockFile.retain(lockPath());
        try (Holder other = Holder.lock(lockPath())) {
            assertInterruptible(lock, attempt);
        } finally {
            lock.releaseReference();
        }
    }

    private static void assertInterruptible(LockFile lock, Consumer<LockFile> attempt) throws Exception {
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread waiter = new Thread(() -> {
            try {
                attempt.accept(lock);
                lock.unlock();
                outcome.complete(null);
            } catch (Throwable t) {
                outcome.complete(!Thread.currentThread().isInterrupted() ? new AssertionError("interrupt status lost", t)
                        : lock.heldByCurrentThread() ? new AssertionError("left holding the lock", t) : t);
            }
        });
        waiter.setDaemon(true); // before the fix it never returns
        waiter.start();
        Thread.sleep(100);
        long start = System.nanoTime();
        waiter.interrupt();
        Throwable thrown = outcome.get(5, TimeUnit.SECONDS);
        assertInstanceOf(StreamInterruptedException.class, thrown);
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(1), "promptly");
    }

    private void refused(Path path, String found, ThrowingRunnable plant) throws Exception {
        plant.run();
        UntrustedFileException e = assertThrows(UntrustedFileException.class, () -> LockFile.retain(lockPath()));
        assertEquals(path.toString(), e.path());
        assertTrue(e.getMessage().contains(found), e.getMessage());
        Special.run("rm", "-rf", dir().toString());
    }

    private static String permissions(Path path) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    /** An independent open of the lock file holding the flock, as another process would. */
    static final class Holder implements AutoCloseable {
        private final int fd;

        private Holder(int fd) {
            this.fd = fd;
        }

        static Holder lock(Path path) {
            int fd = LibC.open(path.toString(), LibC.O_RDWR | LibC.O_CREAT | LibC.O_CLOEXEC, 0600);
            LibC.flock(fd, LibC.LOCK_EX);
            return new Holder(fd);
        }

        @Override
        public void close() {
            LibC.close(fd);
        }
    }
}

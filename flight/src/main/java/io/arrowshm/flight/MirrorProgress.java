package io.arrowshm.flight;

import io.arrowshm.CursorOptions;
import io.arrowshm.Ring;
import io.arrowshm.RingLease;
import io.arrowshm.RingReader;
import io.arrowshm.StreamTimeoutException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Which remote position a ring mirror last wrote into its local ring, kept where a mirror that
 * is killed and started again finds it: {@code /dev/shm/arrowshm_mirror_<h14>} (4 KiB, mode 0600,
 * this user's regular file), bound to the local ring's generation and to the source and cursor.
 *
 * <p>Before it writes local position {@code L}, the mirror records {@code (L, R)} in entry
 * {@code L mod 2}: the remote position {@code R} first, then {@code L + 1} with a release store,
 * then it writes the frame. So after any crash the entry of the local ring's last position says
 * which remote frame it holds; if that last position was abandoned (the mirror died inside the
 * write), the other entry says what the position before it holds.
 */
final class MirrorProgress implements AutoCloseable {
    /** Bytes of the file. */
    static final int SIZE = 4096;
    /** {@code ASHMMIRR}. */
    private static final long MAGIC = 0x5252494d4d485341L;
    /** u64 magic at 0; 16 bytes of the local ring's instance id at 8; 8 bytes of the source's SHA-1 at 24. */
    private static final int MAGIC_OFFSET = 0;
    private static final int INSTANCE_OFFSET = 8;
    private static final int SOURCE_OFFSET = 24;
    /** The remote ring's instance id as its server names it (UTF-8, NUL-padded; empty: not known yet), 32 bytes at 32. */
    private static final int REMOTE_OFFSET = 32;
    private static final int REMOTE_SIZE = 32;
    /** Two entries of 16 bytes from 128: u64 remote position, then u64 local position + 1 (0: empty). */
    private static final int ENTRIES_OFFSET = 128;
    private static final int ENTRY_SIZE = 16;
    private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final Path path;
    private final FileChannel channel;
    private final MappedByteBuffer map;

    private MirrorProgress(Path path, FileChannel channel, MappedByteBuffer map) {
        this.path = path;
        this.channel = channel;
        this.map = map;
    }

    /** The file of the local ring {@code localName}. */
    static Path pathOf(String localName) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-1").digest(localName.getBytes(StandardCharsets.UTF_8));
            return Path.of("/dev/shm", "arrowshm_mirror_" + HexFormat.of().formatHex(hash).substring(0, 14));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is part of every JDK", e);
        }
    }

    /**
     * Opens (or makes) the progress of {@code local} mirrored from {@code source} through
     * {@code cursor}; what another generation of the ring, or another source, left is forgotten.
     *
     * @throws IllegalStateException when the name holds a link, or something not this user's regular file
     */
    static MirrorProgress open(Ring local, FlightSource source, String cursor) {
        Path path = pathOf(local.name());
        try {
            FileChannel channel = FileChannel.open(path, Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE,
                    StandardOpenOption.CREATE, LinkOption.NOFOLLOW_LINKS),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try {
                // Checked once open: in /dev/shm (sticky) nobody else can swap our own file afterwards, and a
                // file another user planted under the name is refused here.
                checkOwn(path, local.name());
                if (channel.size() < SIZE) {
                    channel.write(java.nio.ByteBuffer.allocate((int) (SIZE - channel.size())), channel.size());
                }
                MappedByteBuffer map = channel.map(FileChannel.MapMode.READ_WRITE, 0, SIZE);
                MirrorProgress progress = new MirrorProgress(path, channel, map);
                progress.bind(HexFormat.of().parseHex(local.instanceId()), sourceDigest(source, cursor));
                return progress;
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        } catch (java.nio.file.FileSystemException e) {
            throw new IllegalStateException("cannot keep the mirror's progress in " + path + " (" + e.getMessage()
                    + "): remove what is there; it should record ring mirror '" + local.name() + "'", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the mirror's progress in " + path + ": " + e.getMessage(), e);
        }
    }

    private static void checkOwn(Path path, String local) throws IOException {
        PosixFileAttributes attributes = Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        // /proc/self is this process's directory, owned by its effective uid.
        Object mine = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        Object theirs = Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        if (!attributes.isRegularFile() || !mine.equals(theirs)) {
            throw new IllegalStateException(path + " is not a regular file of this user; remove it (it should record"
                    + " ring mirror '" + local + "')");
        }
    }

    /** The remote ring's instance id the recorded positions belong to, or "" when none is recorded. */
    String remoteInstance() {
        byte[] bytes = new byte[REMOTE_SIZE];
        map.get(REMOTE_OFFSET, bytes);
        int end = 0;
        while (end < bytes.length && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8);
    }

    /**
     * Binds the progress to the remote ring {@code instance} (32 hex digits); positions recorded
     * for another generation are forgotten.
     */
    void remoteInstance(String instance) {
        if (instance.equals(remoteInstance())) {
            return;
        }
        forget();
        byte[] bytes = Arrays.copyOf(instance.getBytes(StandardCharsets.UTF_8), REMOTE_SIZE);
        map.put(REMOTE_OFFSET, bytes);
    }

    private void forget() {
        LONGS.setRelease(map, ENTRIES_OFFSET + 8, 0L);
        LONGS.setRelease(map, ENTRIES_OFFSET + ENTRY_SIZE + 8, 0L);
    }

    /** Records that local position {@code local} is about to receive remote position {@code remote}. */
    void intent(long local, long remote) {
        int entry = ENTRIES_OFFSET + (int) (local & 1) * ENTRY_SIZE;
        LONGS.set(map, entry, remote);
        LONGS.setRelease(map, entry + 8, local + 1);
    }

    /**
     * The remote position of the last frame the local ring holds from this source, given the
     * writer's position {@code written} (the writer lease taken, so a frame the last mirror died
     * writing is already abandoned); empty when unknown.
     */
    OptionalLong lastRemote(Ring local, long written) {
        if (written == 0) {
            return OptionalLong.empty();
        }
        OptionalLong last = remoteOf(written - 1);
        if (last.isPresent() && abandoned(local, written - 1)) {
            return written >= 2 ? remoteOf(written - 2) : OptionalLong.empty();
        }
        return last;
    }

    private OptionalLong remoteOf(long local) {
        int entry = ENTRIES_OFFSET + (int) (local & 1) * ENTRY_SIZE;
        if ((long) LONGS.getAcquire(map, entry + 8) != local + 1) {
            return OptionalLong.empty();
        }
        return OptionalLong.of((long) LONGS.get(map, entry));
    }

    /** Whether the ring's position {@code p} (its newest) was abandoned: a reader starting there skips it. */
    private static boolean abandoned(Ring ring, long p) {
        String probe = RingFeed.OWN_PREFIX + "probe:" + ProcessHandle.current().pid() + ":"
                + Integer.toHexString(ThreadLocalRandom.current().nextInt());
        try (RingReader reader = ring.reader(probe, CursorOptions.defaults().blocking(false)
                .start(CursorOptions.Start.LATEST).grace(Duration.ZERO))) {
            if (reader.position() != p) {
                return false; // not the newest frame any more: it was written, and more after it
            }
            try (RingLease lease = reader.lease(Duration.ZERO)) {
                return lease.position() != p;
            } catch (StreamTimeoutException skipped) {
                return reader.abandoned() > 0;
            }
        } finally {
            ring.dropCursor(probe);
        }
    }

    private void bind(byte[] instance, byte[] source) {
        byte[] storedInstance = new byte[16];
        byte[] storedSource = new byte[8];
        map.get(INSTANCE_OFFSET, storedInstance);
        map.get(SOURCE_OFFSET, storedSource);
        if ((long) LONGS.get(map, MAGIC_OFFSET) == MAGIC && Arrays.equals(storedInstance, instance)
                && Arrays.equals(storedSource, source)) {
            return;
        }
        // Another generation of the ring, another source, or a new file: nothing it says holds.
        forget();
        map.put(REMOTE_OFFSET, new byte[REMOTE_SIZE]);
        map.put(INSTANCE_OFFSET, instance);
        map.put(SOURCE_OFFSET, source);
        LONGS.setRelease(map, MAGIC_OFFSET, MAGIC);
    }

    private static byte[] sourceDigest(FlightSource source, String cursor) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-1");
            sha.update(source.toString().getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(cursor.getBytes(StandardCharsets.UTF_8));
            return Arrays.copyOf(sha.digest(), 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is part of every JDK", e);
        }
    }

    @Override
    public void close() {
        try {
            map.force();
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close " + path, e);
        }
    }
}

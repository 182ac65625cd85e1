package io.arrowshm.interop.suite;

import io.arrowshm.internal.format.StreamNames;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A stream's segments as plain files under /dev/shm: the neutral ground where a test reads
 * what either language stored, or damages it, without going through either implementation.
 */
final class ShmFiles {
    private static final Path SHM = Path.of("/dev/shm");

    private ShmFiles() {
    }

    static Path data(String name) {
        return SHM.resolve(StreamNames.of(name).dataSegment());
    }

    static Path metadata(String name) {
        return SHM.resolve(StreamNames.of(name).metaSegment());
    }

    /** The metadata segment's bytes now, little-endian. */
    static ByteBuffer metadataBytes(String name) {
        try {
            return ByteBuffer.wrap(Files.readAllBytes(metadata(name))).order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** XORs {@code mask} into the metadata byte at {@code offset}, in place (live mappings see it). */
    static void flipBits(String name, int offset, int mask) {
        try (FileChannel channel = FileChannel.open(metadata(name), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            channel.read(one, offset);
            one.put(0, (byte) (one.get(0) ^ mask));
            one.rewind();
            channel.write(one, offset);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

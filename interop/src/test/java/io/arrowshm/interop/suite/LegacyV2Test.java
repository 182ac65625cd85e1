package io.arrowshm.interop.suite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.DType;
import io.arrowshm.SharedMemory;
import io.arrowshm.interop.suite.Payloads.Kind;
import io.arrowshm.internal.format.MetadataLayout;
import io.arrowshm.testing.PeerProcess;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Legacy v2 streams (float64[32] metadata) laid out byte by byte as pyshmem 1.0.x made them,
 * with the 256-byte metadata of the oldest builds and the 512-byte one (name region) of later
 * ones. Java reads and writes them in place, keeping the v2 layout, and pyshmem 1.4.0 reads
 * what Java wrote.
 */
class LegacyV2Test {
    private static final Duration PEER_TIMEOUT = Duration.ofSeconds(60);

    @RegisterExtension
    static final PyshmemSession py = new PyshmemSession();
    @RegisterExtension
    final TestStreams streams = new TestStreams();

    static Stream<Arguments> legacyStreams() {
        return Stream.of(
                Arguments.of(256, DType.FLOAT64, new long[] {4, 5}),
                Arguments.of(256, DType.INT16, new long[] {7}),
                Arguments.of(512, DType.FLOAT32, new long[] {2, 3, 4}),
                Arguments.of(512, DType.UINT8, new long[] {9}));
    }

    @DisplayName("Java reads and writes a pyshmem 1.0.x v2 stream; pyshmem 1.4.0 reads Java's write")
    @ParameterizedTest(name = "({0}-byte metadata, {1})")
    @MethodSource("legacyStreams")
    void javaReadsAndWritesALegacyStream(int metadataBytes, DType dtype, long[] shape) {
        String name = makeLegacy("legacy", metadataBytes, dtype, shape);
        long size;
        try (SharedMemory shm = SharedMemory.open(name)) {
            size = shm.size();
            assertEquals(2, shm.metadataVersion());
            assertEquals(dtype, shm.dtype());
            assertArrayEquals(shape, shm.shape());
            assertEquals(1, shm.count());
            assertEquals(Optional.empty(), shm.instanceId(), "v2 has no generation id");
            assertArrayEquals(pattern(dtype, shm.size(), 5), Payloads.readBytes(shm), "what the 1.0.x layout holds");

            shm.write(pattern(dtype, shm.size(), 6), 99L);
            assertEquals(0, shm.frameId(), "v2 has no frame_id slot");
        }
        assertStillV2(name, metadataBytes, 2);

        Reply read = py.ok("read", name);
        Expect.payload(pattern(dtype, size, 6), read);
        assertEquals(2, read.getLong("count"));
        assertEquals(4, read.getLong("seq"));
        assertEquals(0, read.getLong("frame_id"));

        py.ok("write", name, Kind.PATTERN.word(), 7);
        try (SharedMemory shm = SharedMemory.open(name)) {
            assertArrayEquals(pattern(dtype, size, 7), Payloads.readBytes(shm), "and back: pyshmem 1.4.0's v2 write");
            assertEquals(3, shm.count());
        }
        assertStillV2(name, metadataBytes, 3);
    }

    @Test
    @DisplayName("discovery in both languages lists a v2 stream with a name region, and not one without")
    void discoveryNeedsTheNameRegion() {
        String named = makeLegacy("legacy-list", 512, DType.FLOAT64, new long[] {2});
        String unnamed = makeLegacy("legacy-list", 256, DType.FLOAT64, new long[] {2});
        assertEquals(named, py.ok("list-among", named, unnamed).get("listed"));
        assertTrue(SharedMemory.listStreams().contains(named));
        assertFalse(SharedMemory.listStreams().contains(unnamed));
        for (String name : new String[] {named, unnamed}) {
            assertEquals(2, SharedMemory.stat(name).metadataVersion());
            assertEquals("None", py.ok("stat", name).get("instance_id"));
        }
    }

    private String makeLegacy(String label, int metadataBytes, DType dtype, long[] shape) {
        String name = streams.name(label);
        try (PeerProcess maker = PeerProcess.python("legacy_v2.py", name, Integer.toString(dtype.code()),
                Expect.shape(shape), Integer.toString(metadataBytes), "5")) {
            maker.finish(PEER_TIMEOUT);
        }
        return name;
    }

    /** The header is still float64 slots (spec §8) after {@code count} writes: nobody converted it to v3. */
    private static void assertStillV2(String name, int metadataBytes, long count) {
        ByteBuffer header = ShmFiles.metadataBytes(name);
        assertEquals(metadataBytes, header.capacity(), "the segment kept its size");
        assertEquals(2.0, header.getDouble(MetadataLayout.v2Offset(0)), "version slot");
        assertEquals(count, header.getDouble(MetadataLayout.v2Offset(MetadataLayout.V2_COUNT)), "count slot");
        assertEquals(2.0 * count, header.getDouble(MetadataLayout.v2Offset(MetadataLayout.V2_WRITE_SEQUENCE)), "sequence slot");
        assertEquals(0.0, header.getDouble(MetadataLayout.v2Offset(MetadataLayout.V2_LOCK_OWNER_PID)), "lock released");
        assertEquals(0.0, header.getDouble(MetadataLayout.v2Offset(MetadataLayout.V2_LOCK_DEPTH)), "lock released");
    }

    private static byte[] pattern(DType dtype, long size, int seed) {
        return Payloads.bytes(dtype, size, Kind.PATTERN, seed);
    }
}

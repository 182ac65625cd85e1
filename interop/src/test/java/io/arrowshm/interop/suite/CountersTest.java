package io.arrowshm.interop.suite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.DType;
import io.arrowshm.Publication;
import io.arrowshm.SharedMemory;
import io.arrowshm.interop.suite.Payloads.Kind;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Java and pyshmem take turns writing one stream. After every write both languages read the
 * same count, write_sequence, write_time and frame_id from the header, and the same
 * publication.
 */
class CountersTest {
    /** Both languages stamp CLOCK_REALTIME as float64 seconds; allow for its rounding and resolution. */
    private static final double CLOCK_SLACK_SECONDS = 1e-3;
    private static final DType DTYPE = DType.FLOAT64;

    @RegisterExtension
    static final PyshmemSession py = new PyshmemSession();
    @RegisterExtension
    final TestStreams streams = new TestStreams();

    @Test
    @DisplayName("writers alternate Java, pyshmem, Java, ...: both agree on count, write_sequence, write_time, frame_id")
    void alternatingWritersAgreeOnEveryCounter() {
        String name = streams.name("counters");
        // u64 frame ids, including those that are negative as Java longs
        long[] frameIds = {1, -1L, Long.MIN_VALUE, 0, Long.parseUnsignedLong("12345678901234567890"), 7, -2L, 1L << 32};
        try (SharedMemory shm = SharedMemory.create(name, DTYPE, 4, 4)) {
            double previousTime = 0;
            for (int i = 0; i < frameIds.length; i++) {
                double before = epochSeconds();
                if (i % 2 == 0) {
                    shm.write(Payloads.bytes(DTYPE, shm.size(), Kind.PATTERN, i), frameIds[i]);
                } else {
                    py.ok("write", name, Kind.PATTERN.word(), i, Long.toUnsignedString(frameIds[i]));
                }
                double after = epochSeconds();
                String turn = "after write " + (i + 1) + " (by " + (i % 2 == 0 ? "Java" : "pyshmem") + ")";

                Reply python = py.ok("state", name);
                assertEquals(i + 1, shm.count(), turn);
                assertEquals(i + 1, python.getLong("count"), turn);
                assertEquals(2L * (i + 1), shm.writeSequence(), turn);
                assertEquals(2L * (i + 1), python.getLong("seq"), turn);
                assertEquals(frameIds[i], shm.frameId(), turn);
                assertEquals(frameIds[i], python.getUnsigned("frame_id"), turn);

                double written = shm.writeTime();
                assertEquals(written, python.getDouble("write_time"), 0.0, turn + ": the same stored float64");
                assertTrue(written >= before - CLOCK_SLACK_SECONDS && written <= after + CLOCK_SLACK_SECONDS,
                        turn + ": write_time " + written + " outside the write's interval [" + before + ", " + after + "]");
                assertTrue(written >= previousTime, turn + ": write_time went back");
                previousTime = written;

                assertSamePublication(shm, py.ok("read-publication", name), i, turn);
            }
        }
    }

    @Test
    @DisplayName("a write without a frame id keeps the frame id the other language stamped")
    void aWriteWithoutFrameIdKeepsTheOtherLanguagesFrameId() {
        String name = streams.name("counters");
        try (SharedMemory shm = SharedMemory.create(name, DTYPE, 3)) {
            shm.write(new double[3], 41L);
            py.ok("write", name, Kind.PATTERN.word(), 1);
            assertEquals(41L, py.ok("state", name).getUnsigned("frame_id"));
            assertEquals(41L, shm.frameId());

            py.ok("write", name, Kind.PATTERN.word(), 2, 42);
            shm.write(new double[3]);
            assertEquals(42L, py.ok("state", name).getUnsigned("frame_id"));
            assertEquals(42L, shm.frameId());
            assertEquals(4, shm.count());
        }
    }

    @Test
    @DisplayName("clear() in either language publishes zeros the other reads, and keeps the frame id")
    void clearIsAPublicationOfZerosInBothLanguages() {
        String name = streams.name("counters");
        try (SharedMemory shm = SharedMemory.create(name, DTYPE, 2, 2)) {
            byte[] zeros = new byte[Math.toIntExact(shm.size())];
            shm.write(Payloads.bytes(DTYPE, shm.size(), Kind.PATTERN, 1), 8L);
            shm.clear();
            Reply cleared = py.ok("read", name);
            Expect.payload(zeros, cleared);
            assertEquals(2, cleared.getLong("count"));
            assertEquals(8L, cleared.getUnsigned("frame_id"));

            py.ok("write", name, Kind.PATTERN.word(), 2, 9);
            Reply python = py.ok("clear", name);
            assertEquals(4, python.getLong("count"));
            assertArrayEquals(zeros, Payloads.readBytes(shm));
            assertEquals(9L, shm.frameId());
            assertEquals(8, shm.writeSequence());
        }
    }

    private static void assertSamePublication(SharedMemory shm, Reply python, int seed, String turn) {
        try (Publication java = shm.readPublication()) {
            assertEquals(java.count(), python.getLong("count"), turn);
            assertEquals(java.frameId(), python.getUnsigned("frame_id"), turn);
            assertEquals(java.writeTime(), python.getDouble("write_time"), 0.0, turn);
            byte[] payload = new byte[Math.toIntExact(shm.size())];
            java.payload().getBytes(0, payload);
            assertArrayEquals(Payloads.bytes(DTYPE, shm.size(), Kind.PATTERN, seed), payload, turn);
            Expect.payload(payload, python);
        }
    }

    private static double epochSeconds() {
        Instant now = Instant.now();
        return now.getEpochSecond() + now.getNano() * 1e-9;
    }
}

package io.arrowshm.interop.suite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.arrowshm.DType;
import io.arrowshm.SharedMemory;
import io.arrowshm.interop.suite.Payloads.Kind;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every dtype at ranks 1, 2, 3 and 19, both directions, bit for bit: first the special values
 * through the typed Java arrays, then the rolling byte pattern (every byte value) as raw bytes.
 * The stream is created by the writing language, so its header is under test too.
 */
class ValuesTest {
    /** Uneven dimensions, so a transposed or reversed shape could not pass. */
    private static final Map<Integer, long[]> SHAPES = Map.of(
            1, new long[] {17},
            2, new long[] {3, 7},
            3, new long[] {2, 3, 5},
            19, new long[] {2, 1, 1, 1, 1, 1, 1, 1, 1, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2});

    @RegisterExtension
    static final PyshmemSession py = new PyshmemSession();
    @RegisterExtension
    final TestStreams streams = new TestStreams();

    static Stream<Arguments> dtypesAndRanks() {
        return Arrays.stream(DType.values())
                .flatMap(dtype -> Stream.of(1, 2, 3, 19).map(rank -> Arguments.of(dtype, rank)));
    }

    @DisplayName("Java writes, pyshmem reads")
    @ParameterizedTest(name = "({0}, rank {1})")
    @MethodSource("dtypesAndRanks")
    void javaWritesPyshmemReads(DType dtype, int rank) {
        long[] shape = SHAPES.get(rank);
        String name = streams.name("values");
        try (SharedMemory shm = SharedMemory.create(name, dtype, shape)) {
            byte[] special = Payloads.bytes(dtype, shm.size(), Kind.SPECIAL, rank);
            Payloads.write(shm, Payloads.typed(dtype, special));
            Reply read = py.ok("read", name);
            assertEquals(dtype.numpyName(), read.get("dtype"));
            assertEquals(Expect.shape(shape), read.get("shape"));
            Expect.payload(special, read);

            byte[] pattern = Payloads.bytes(dtype, shm.size(), Kind.PATTERN, rank);
            shm.write(pattern);
            Expect.payload(pattern, py.ok("read", name));
        }
    }

    @DisplayName("pyshmem writes, Java reads")
    @ParameterizedTest(name = "({0}, rank {1})")
    @MethodSource("dtypesAndRanks")
    void pyshmemWritesJavaReads(DType dtype, int rank) {
        long[] shape = SHAPES.get(rank);
        String name = streams.name("values");
        py.ok("create", name, dtype.numpyName(), Expect.shape(shape));
        py.ok("write", name, Kind.SPECIAL.word(), rank);
        try (SharedMemory shm = SharedMemory.open(name)) {
            assertEquals(dtype, shm.dtype());
            assertArrayEquals(shape, shm.shape());
            assertArrayEquals(Payloads.bytes(dtype, shm.size(), Kind.SPECIAL, rank),
                    Payloads.bytesOf(Payloads.readTyped(shm)), "special values through the typed readInto");

            py.ok("write", name, Kind.PATTERN.word(), rank);
            assertArrayEquals(Payloads.bytes(dtype, shm.size(), Kind.PATTERN, rank), Payloads.readBytes(shm));
        }
    }
}

package io.arrowshm.interop.suite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.arrowshm.DType;
import io.arrowshm.SharedMemory;
import io.arrowshm.interop.suite.Payloads.Kind;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Payload sizes from one element to more than 256 MiB, both directions, compared by SHA-256
 * (and byte for byte while small). Sizes sit off page and word boundaries on purpose.
 */
class PayloadSizesTest {
    @RegisterExtension
    static final PyshmemSession py = new PyshmemSession();
    @RegisterExtension
    final TestStreams streams = new TestStreams();

    record Size(String label, DType dtype, long... shape) {
        @Override
        public String toString() {
            return label + " (" + dtype.numpyName() + " " + Expect.shape(shape) + ")";
        }
    }

    static Stream<Size> sizes() {
        return Stream.of(
                new Size("one byte", DType.UINT8, 1),
                new Size("one 16-byte element", DType.COMPLEX128, 1),
                new Size("a page and a byte", DType.BOOL, 4097),
                new Size("just under a page", DType.INT32, 1023),
                new Size("1 MiB and one element", DType.FLOAT64, 131073),
                new Size("256 MiB and 64 KiB", DType.FLOAT32, 4097, 16384));
    }

    @DisplayName("Java writes, pyshmem reads")
    @ParameterizedTest(name = "({0})")
    @MethodSource("sizes")
    void javaWritesPyshmemReads(Size size) {
        String name = streams.name("size");
        try (SharedMemory shm = SharedMemory.create(name, size.dtype(), size.shape())) {
            byte[] payload = Payloads.bytes(size.dtype(), shm.size(), Kind.PATTERN, 9);
            shm.write(payload);
            Reply read = py.ok("read", name);
            assertEquals(Expect.shape(size.shape()), read.get("shape"));
            Expect.payload(payload, read);
        }
    }

    @DisplayName("pyshmem writes, Java reads")
    @ParameterizedTest(name = "({0})")
    @MethodSource("sizes")
    void pyshmemWritesJavaReads(Size size) {
        String name = streams.name("size");
        py.ok("create", name, size.dtype().numpyName(), Expect.shape(size.shape()));
        py.ok("write", name, Kind.PATTERN.word(), 10);
        try (SharedMemory shm = SharedMemory.open(name)) {
            if (shm.size() <= Payloads.SHOWN_BYTES) {
                assertArrayEquals(Payloads.bytes(size.dtype(), shm.size(), Kind.PATTERN, 10), Payloads.readBytes(shm));
            } else {
                assertEquals(Payloads.patternSha256(size.dtype(), shm.size(), 10), Payloads.sha256(Payloads.readBytes(shm)));
            }
        }
    }
}

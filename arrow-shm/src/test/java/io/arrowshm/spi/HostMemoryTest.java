package io.arrowshm.spi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.arrowshm.DType;
import io.arrowshm.SharedMemory;
import io.arrowshm.internal.format.StreamNames;
import io.arrowshm.testing.Names;
import io.arrowshm.testing.PeerProcess;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The host copy the device seam's implementations stage with: bytes intact (serial and split
 * across the copy threads), bad arguments refused, and a truncated segment on either side
 * thrown from the call itself as the JVM's {@link InternalError} (which the core's guard
 * translates), never a JVM abort and never later, in JDK 17 and JDK 25 children (the jar run
 * repeats it with the FFM barrier).
 */
@Timeout(120)
class HostMemoryTest {
    static final Path JDK_25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64");
    /** Above the copy splitter's 3 MiB threshold, so the copy is split across threads. */
    static final int LARGE = 8 << 20;

    static long address(ByteBuffer direct) {
        return Pointer.nativeValue(Native.getDirectBufferPointer(direct));
    }

    private static ByteBuffer pattern(int bytes) {
        ByteBuffer b = ByteBuffer.allocateDirect(bytes);
        for (int i = 0; i < bytes; i++) {
            b.put(i, (byte) (i * 17 + (i >>> 12)));
        }
        return b;
    }

    private static byte[] array(ByteBuffer b) {
        byte[] out = new byte[b.capacity()];
        b.get(0, out);
        return out;
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {1, 4097, LARGE + 3})
    void copiesLandIntact(int bytes) {
        ByteBuffer source = pattern(bytes);
        ByteBuffer target = ByteBuffer.allocateDirect(bytes);

        HostMemory.copy(address(source), address(target), bytes);

        assertArrayEquals(array(source), array(target));
    }

    @Test
    void badArgumentsAreRefusedBeforeAnythingIsCopied() {
        ByteBuffer b = ByteBuffer.allocateDirect(8192);
        long a = address(b);
        assertThrows(IllegalArgumentException.class, () -> HostMemory.copy(a, a + 4096, -1));
        assertThrows(IllegalArgumentException.class, () -> HostMemory.copy(0, a, 16));
        assertThrows(IllegalArgumentException.class, () -> HostMemory.copy(a, 0, 16));
        assertThrows(IllegalArgumentException.class, () -> HostMemory.copy(a, a + 100, 4096), "overlapping");
        assertThrows(IllegalArgumentException.class, () -> HostMemory.copy(a + 100, a, 4096), "overlapping");
        HostMemory.copy(0, 0, 0); // nothing to copy: nothing is touched
        HostMemory.copy(a, a + 4096, 4096);
    }

    @ParameterizedTest(name = "from and into a truncated segment, {0} bytes, JDK 17")
    @ValueSource(ints = {4096, LARGE})
    void aTruncatedSegmentThrowsFromTheCall(int bytes) {
        expectFaults(PeerProcess.currentJavaHome(), bytes);
    }

    @ParameterizedTest(name = "from and into a truncated segment, {0} bytes, JDK 25")
    @ValueSource(ints = {4096, LARGE})
    void aTruncatedSegmentThrowsFromTheCallOnJdk25(int bytes) {
        assumeTrue(Files.isExecutable(JDK_25.resolve("bin/java")), "no JDK 25 at " + JDK_25);
        expectFaults(JDK_25, bytes);
    }

    private static void expectFaults(Path javaHome, int bytes) {
        String name = Names.unique("hostmemory");
        try (PeerProcess child = PeerProcess.java(javaHome, List.of("-Xmx256m"), TruncatedChild.class, name,
                Integer.toString(bytes))) {
            List<String> out = child.finish(Duration.ofSeconds(90));
            List<String> outcomes = out.stream().filter(l -> l.startsWith("outcome ")).toList();
            assertEquals(List.of("outcome from InternalError", "outcome from InternalError",
                    "outcome from InternalError", "outcome into InternalError", "outcome into InternalError",
                    "outcome into InternalError", "outcome after none"), outcomes, "everything the child printed: " + out);
        } finally {
            SharedMemory.unlink(name);
        }
    }

    /** The child JVM: a stream whose data segment it truncates, then copies from and into it. */
    public static final class TruncatedChild {
        public static void main(String[] args) throws Exception {
            String name = args[0];
            int bytes = Integer.parseInt(args[1]);
            try (SharedMemory shm = SharedMemory.create(name, DType.UINT8, bytes);
                 ArrowBuf live = shm.buffer()) {
                long segment = live.memoryAddress();
                ByteBuffer mine = ByteBuffer.allocateDirect(bytes);
                HostMemory.copy(address(mine), segment, bytes); // backed: no fault
                try (FileChannel channel = FileChannel.open(Path.of("/dev/shm",
                        StreamNames.of(name).dataSegment()), StandardOpenOption.WRITE)) {
                    channel.truncate(0);
                }
                for (String direction : new String[] {"from", "from", "from", "into", "into", "into"}) {
                    Throwable outcome = null;
                    try {
                        if (direction.equals("from")) {
                            HostMemory.copy(segment, address(mine), bytes);
                        } else {
                            HostMemory.copy(address(mine), segment, bytes);
                        }
                    } catch (Throwable t) {
                        outcome = t;
                    }
                    System.out.println("outcome " + direction + " " + (outcome == null ? "none"
                            : outcome.getClass().getSimpleName()));
                }
                // A fault delivered late would surface in whatever runs next: here, a plain copy.
                Throwable late = null;
                try {
                    HostMemory.copy(address(mine), address(ByteBuffer.allocateDirect(bytes)), bytes);
                } catch (Throwable t) {
                    late = t;
                }
                System.out.println("outcome after " + (late == null ? "none" : late.getClass().getSimpleName()));
            }
        }
    }
}

package example;

import io.arrowshm.*;

/** The README's Java quickstart, as a user pastes it into a main method. */
public final class Quickstart {
    private Quickstart() {
    }

    public static void main(String[] args) throws Exception {
        // The README's quickstart block, verbatim but for its import (release-checks' ConsumerProjectTest compares them).
        try (SharedMemory writer = SharedMemory.create("frames", DType.UINT8, 480, 640);
             SharedMemory reader = SharedMemory.open("frames")) {
            byte[] frame = new byte[480 * 640];
            java.util.Arrays.fill(frame, (byte) 1);
            writer.write(frame);                      // lock, publish, unlock

            byte[] copy = new byte[480 * 640];
            reader.readInto(copy);                    // consistent snapshot, no allocation
            try (var buf = reader.read()) {           // or a new ArrowBuf you close
                System.out.println(buf.getByte(0) + " count=" + reader.count());
            }
            writer.unlink();                          // remove the stream (it outlives processes otherwise)
        }
        // end of the README's block
    }
}

package io.arrowshm.cli.bench;

import io.arrowshm.DType;
import io.arrowshm.SharedMemory;

/** Write then read back one frame through two handles on one stream, in this process. */
final class LocalRoundTrip {
    private LocalRoundTrip() {
    }

    static Samples run(int frameBytes, int rounds) {
        String name = "arrow-shm-bench-" + ProcessHandle.current().pid() + "-local";
        try (SharedMemory writer = SharedMemory.create(name, DType.UINT8, frameBytes);
             SharedMemory reader = SharedMemory.open(name)) {
            try {
                byte[] frame = new byte[frameBytes];
                byte[] copy = new byte[frameBytes];
                Samples samples = new Samples(rounds);
                for (int i = 0; i < rounds; i++) {
                    frame[i % frameBytes] = (byte) i;
                    long start = System.nanoTime();
                    writer.write(frame);
                    reader.readInto(copy);
                    samples.add(System.nanoTime() - start);
                }
                return samples;
            } finally {
                writer.unlink();
            }
        }
    }
}

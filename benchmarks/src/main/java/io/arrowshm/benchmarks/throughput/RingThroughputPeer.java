package io.arrowshm.benchmarks.throughput;

import io.arrowshm.Ring;
import io.arrowshm.RingReader;
import io.arrowshm.RingWriter;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * One side of a ring throughput case, in its own JVM. Arguments: {@code reader RING CURSOR FRAME}
 * or {@code writer RING FRAME WARMUP_NS WARMUP_FRAMES MEASURE_NS MIN_FRAMES}. A reader attaches its
 * cursor (blocking, default wait strategy), says {@value Traffic#READY}, and takes every frame with
 * {@code readInto(ByteBuffer)}; the writer, started once every reader is ready, writes with
 * {@code write(ByteBuffer)} and so waits for the slowest reader (BLOCK): nothing is lost.
 */
public final class RingThroughputPeer {
    /** Far beyond any wait of a healthy run; a reader that died still ends the writer's wait after its grace. */
    private static final Duration PATIENCE = Duration.ofSeconds(120);

    private RingThroughputPeer() {
    }

    public static void main(String[] args) {
        try (Ring ring = Ring.open(args[1])) {
            if (args[0].equals("reader")) {
                FrameSize size = FrameSize.of(args[3]);
                try (RingReader reader = ring.reader(args[2])) {
                    Traffic.ready();
                    Traffic.report(Traffic.read(target -> reader.readInto(target, PATIENCE), Traffic.frame(size)));
                }
            } else {
                FrameSize size = FrameSize.of(args[2]);
                try (RingWriter writer = ring.writer()) {
                    Traffic.report(Traffic.write(frame -> writer.write(frame, 0L, PATIENCE), Traffic.frame(size),
                            Traffic.Plan.parse(args, 3)));
                }
            }
        }
    }
}

package io.arrowshm.benchmarks.jmh;

import io.arrowshm.Overflow;
import io.arrowshm.Ring;
import io.arrowshm.RingReader;
import io.arrowshm.RingWriter;
import io.arrowshm.StreamTimeoutException;
import io.arrowshm.benchmarks.Shape;
import java.time.Duration;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Control;

/**
 * One ring of 97-float32 slots with its writer and one live reader (a blocking cursor), shared by
 * the two threads of a {@link RingPipeOps} group. A write or read waits at most {@link #PATIENCE}
 * and tries again until JMH ends the iteration: when one thread has stopped, the other's wait
 * would otherwise never end (a BLOCK writer waits for a reader that reads no more).
 */
public abstract class RingPipe {
    /** Slots: the writer may run this far ahead of the reader before it waits (BLOCK). */
    public static final int CAPACITY = 1024;
    private static final Duration PATIENCE = Duration.ofMillis(1);

    private final Overflow overflow;
    private Ring ring;
    private RingWriter writer;
    private RingReader reader;
    private final float[] source = BenchStreams.frame(Shape.TINY);
    private final float[] target = new float[Shape.TINY.elements()];

    RingPipe(Overflow overflow) {
        this.overflow = overflow;
    }

    @Setup(Level.Trial)
    public void open() {
        ring = BenchRings.create(Shape.TINY, CAPACITY, overflow);
        reader = ring.reader("bench");
        writer = ring.writer();
    }

    @TearDown(Level.Trial)
    public void close() {
        BenchRings.remove(ring);
    }

    void write(Control control) {
        while (true) {
            try {
                writer.write(source, 0L, PATIENCE);
                return;
            } catch (StreamTimeoutException e) {
                if (control.stopMeasurement) {
                    return;
                }
            }
        }
    }

    long read(Control control) {
        while (true) {
            try {
                return reader.readInto(target, PATIENCE);
            } catch (StreamTimeoutException e) {
                if (control.stopMeasurement) {
                    return -1;
                }
            }
        }
    }
}

package io.arrowshm.nd4j.bench;

import io.arrowshm.DType;
import io.arrowshm.SharedMemory;
import io.arrowshm.nd4j.Nd4jStreams;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.LongSupplier;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What a view and a write of one 1000×1000 float32 frame (4 MB) cost, next to plain copies
 * of the same 4 MB in the same run. Medians of many timed runs, after a warm-up; a
 * measurement, not a test (no JMH: it runs anywhere the test class path does).
 *
 * <pre>
 * java --add-opens=java.base/java.nio=ALL-UNNAMED -cp "$(cat cp.txt):target/classes:target/test-classes" \
 *     io.arrowshm.nd4j.bench.ViewCostBenchmark [runs]
 * </pre>
 */
public final class ViewCostBenchmark {
    private static final int SIDE = 1000;
    private static final int ELEMENTS = SIDE * SIDE;
    private static final int BYTES = ELEMENTS * Float.BYTES;

    private ViewCostBenchmark() {
    }

    public static void main(String[] args) {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        String name = "arrowshm-bench-view-" + ProcessHandle.current().pid();
        try (SharedMemory shm = SharedMemory.create(name, DType.FLOAT32, SIDE, SIDE)) {
            INDArray frame = Nd4j.rand(DataType.FLOAT, SIDE, SIDE);
            INDArray fOrder = frame.dup('f');
            float[] array = frame.reshape(ELEMENTS).toFloatVector();
            float[] arrayTarget = new float[ELEMENTS];
            ByteBuffer direct = ByteBuffer.allocateDirect(BYTES).order(ByteOrder.LITTLE_ENDIAN);
            ByteBuffer directTarget = ByteBuffer.allocateDirect(BYTES).order(ByteOrder.LITTLE_ENDIAN);
            Nd4jStreams.write(shm, frame);
            INDArray held = Nd4jStreams.view(shm);
            Object[] sink = new Object[1];

            System.out.printf(Locale.ROOT, "1000x1000 float32 (4 MB), %d timed runs each, medians (p10..p90) in microseconds%n", runs);
            report("System.arraycopy float[] 4 MB", runs, () -> time(() -> System.arraycopy(array, 0, arrayTarget, 0, ELEMENTS)));
            report("ByteBuffer.put direct->direct 4 MB", runs, () -> time(() -> {
                direct.clear();
                directTarget.clear();
                directTarget.put(direct);
            }));
            report("Nd4jStreams.view(shm)", runs, () -> time(() -> sink[0] = Nd4jStreams.view(shm)));
            report("Nd4jStreams.write(shm, C-order INDArray)", runs, () -> time(() -> Nd4jStreams.write(shm, frame)));
            report("Nd4jStreams.write(shm, F-order INDArray)", runs, () -> time(() -> Nd4jStreams.write(shm, fOrder)));
            report("SharedMemory.write(float[]) (core)", runs, () -> time(() -> shm.write(array)));
            INDArray target = Nd4j.createUninitialized(DataType.FLOAT, new long[] {SIDE, SIDE}, 'c');
            report("Nd4jStreams.readInto(shm, reused INDArray)", runs, () -> time(() -> Nd4jStreams.readInto(shm, target)));
            report("Nd4jStreams.read(shm) (new INDArray each time)", runs, () -> time(() -> sink[0] = Nd4jStreams.read(shm)));
            report("Nd4jStreams.readZeroCopy(shm, held, f -> f) (overhead)", runs,
                    () -> time(() -> sink[0] = Nd4jStreams.readZeroCopy(shm, held, f -> f)));
            System.out.println("(" + sink[0].getClass().getSimpleName() + ")");
        } finally {
            SharedMemory.unlink(name);
        }
    }

    private static void report(String what, int runs, LongSupplier timedRun) {
        for (int i = 0; i < Math.max(50, runs / 5); i++) {
            timedRun.getAsLong(); // warm-up: JIT, page faults, ND4J's first-call set-up
        }
        long[] nanos = new long[runs];
        for (int i = 0; i < runs; i++) {
            nanos[i] = timedRun.getAsLong();
        }
        Arrays.sort(nanos);
        System.out.printf(Locale.ROOT, "%-58s %10.2f  (%.2f..%.2f)%n", what,
                nanos[runs / 2] / 1e3, nanos[runs / 10] / 1e3, nanos[runs * 9 / 10] / 1e3);
    }

    private static long time(Runnable run) {
        long start = System.nanoTime();
        run.run();
        return System.nanoTime() - start;
    }
}

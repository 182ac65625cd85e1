package io.arrowshm.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.arrowshm.DType;
import io.arrowshm.SharedMemory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The misuse a careful adversary tries, in a child JVM of its own (so a crash is a failed process,
 * not a dead test run): every line it prints is one attempt's outcome, the exception's simple
 * name or "returned", and the last line, "alive", says the JVM survived them all.
 *
 * <pre>{@code java ... OnnxMisusePeer MODEL STREAM}</pre>
 * where MODEL is the "double" model over float32 (64, 64) and STREAM a free stream name.
 */
public final class OnnxMisusePeer {
    private OnnxMisusePeer() {
    }

    public static void main(String[] args) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        String name = args[1];
        try (OrtSession session = env.createSession(args[0], new OrtSession.SessionOptions());
             SharedMemory shm = SharedMemory.create(name, DType.FLOAT32, 64, 64)) {
            OnnxRunner runner = OnnxRunner.of(session);
            Map<String, LeasedTensor> none = Map.of();
            shm.write(new float[64 * 64]);

            // 1. a tensor kept past its readZeroCopy call, run later
            LeasedTensor[] kept = new LeasedTensor[1];
            OnnxStreams.readZeroCopy(env, shm, x -> kept[0] = x);
            print(() -> runner.run(Map.of("frame", kept[0])));
            // 2. run after close, close twice
            LeasedTensor closed = OnnxStreams.tensor(env, shm);
            closed.close();
            print(() -> runner.run(Map.of("frame", closed)));
            print(() -> {
                closed.close();
                return null;
            });
            // 3. the handle closed and the stream unlinked under a live tensor, then used
            print(() -> outlivesItsHandle(env, runner, args[1] + "-outlive"));
            // 4. another process (here: this one, by the file) truncates the segment under a tensor
            try (LeasedTensor x = OnnxStreams.tensor(env, shm)) {
                truncate(name);
                print(() -> OnnxStreams.readZeroCopy(shm, x, t -> runner.run(Map.of("frame", t))));
                print(() -> OnnxStreams.tensor(env, shm));
            }
            // 5. close racing runs on four threads
            print(() -> closeRacingRuns(env, runner));
            // 6. the session closed under a runner
            try (SharedMemory other = SharedMemory.create(name + "-session", DType.FLOAT32, 64, 64);
                 LeasedTensor x = OnnxStreams.tensor(env, other)) {
                other.unlink();
                OrtSession gone = env.createSession(args[0], new OrtSession.SessionOptions());
                gone.close();
                print(() -> OnnxRunner.of(gone).run(Map.of("frame", x)));
                // 7. a result's value used after the result was closed
                OrtSession.Result result = runner.run(Map.of("frame", x));
                ai.onnxruntime.OnnxValue value = result.get(0);
                result.close();
                print(() -> {
                    OnnxStreams.write(other, value);
                    return null;
                });
                // 8. no inputs, no outputs
                print(() -> runner.run(none));
                print(() -> {
                    runner.runInto(Map.of("frame", x), none);
                    return null;
                });
            }
            shm.unlink();
        }
        System.out.println("alive");
    }

    private static Object outlivesItsHandle(OrtEnvironment env, OnnxRunner runner, String name) {
        LeasedTensor x;
        try (SharedMemory shm = SharedMemory.create(name, DType.FLOAT32, 64, 64)) {
            float[] frame = new float[64 * 64];
            java.util.Arrays.fill(frame, 4f);
            shm.write(frame);
            x = OnnxStreams.tensor(env, shm);
            shm.unlink();
        }
        try (x) {
            float[][] out = LeasedTensorTest.values2d(runner.run(Map.of("frame", x)));
            if (out[63][63] != 8f) {
                throw new AssertionError("read " + out[63][63] + " after the handle closed, not 8");
            }
            return out;
        }
    }

    /** Four threads run one tensor while the main thread closes it: each run either works or is refused. */
    private static Object closeRacingRuns(OrtEnvironment env, OnnxRunner runner) {
        try (SharedMemory shm = SharedMemory.create("race-" + ProcessHandle.current().pid() + "-" + System.nanoTime(),
                DType.FLOAT32, 64, 64)) {
            for (int round = 0; round < 20; round++) {
                LeasedTensor x = OnnxStreams.tensor(env, shm);
                AtomicLong runs = new AtomicLong();
                AtomicLong refused = new AtomicLong();
                List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
                CountDownLatch started = new CountDownLatch(4);
                List<Thread> threads = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    Thread thread = new Thread(() -> {
                        started.countDown();
                        while (true) {
                            try {
                                LeasedTensorTest.values2d(runner.run(Map.of("frame", x)));
                                runs.incrementAndGet();
                            } catch (IllegalStateException e) {
                                refused.incrementAndGet();
                                return;
                            } catch (Throwable e) {
                                failures.add(e);
                                return;
                            }
                        }
                    });
                    thread.start();
                    threads.add(thread);
                }
                started.await();
                Thread.sleep(round % 5);
                x.close();
                for (Thread thread : threads) {
                    thread.join();
                }
                if (!failures.isEmpty() || refused.get() != 4) {
                    throw new AssertionError("round " + round + ": " + runs + " runs, " + refused + " refused, " + failures);
                }
            }
            shm.unlink();
            return null;
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void truncate(String name) {
        Path data = Path.of("/dev/shm", io.arrowshm.internal.format.StreamNames.of(name).dataSegment());
        try (FileChannel channel = FileChannel.open(data, StandardOpenOption.WRITE)) {
            channel.truncate(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void print(Supplier<Object> attempt) {
        String outcome;
        try {
            Object result = attempt.get();
            if (result instanceof AutoCloseable closeable) {
                closeable.close();
            }
            outcome = "returned";
        } catch (RuntimeException e) {
            outcome = e.getClass().getSimpleName() + ": " + e.getMessage();
        } catch (Exception e) {
            outcome = "checked " + e;
        }
        System.out.println(outcome.replace('\n', ' '));
    }
}

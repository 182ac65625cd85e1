package io.arrowshm.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.arrowshm.DType;
import io.arrowshm.Ring;
import io.arrowshm.RingLease;
import io.arrowshm.RingOptions;
import io.arrowshm.RingReader;
import io.arrowshm.RingWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;

/**
 * Misuse of ring tensors in a child JVM of its own (a SIGSEGV or SIGBUS in ONNX Runtime would be
 * a failed process): each line is one attempt's outcome ({@link OnnxMisusePeer#print}), the last,
 * "alive", says the JVM survived.
 *
 * <pre>{@code java ... OnnxRingMisusePeer MODEL RING}</pre>
 * where MODEL is the "double" model over float32 (64, 64) and RING a free ring name.
 */
public final class OnnxRingMisusePeer {
    private static final Duration SECOND = Duration.ofSeconds(1);

    private OnnxRingMisusePeer() {
    }

    public static void main(String[] args) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        String name = args[1];
        try (OrtSession session = env.createSession(args[0], new OrtSession.SessionOptions());
             Ring ring = Ring.create(name, RingOptions.of(DType.FLOAT32, 64, 64).capacity(4));
             Ring out = Ring.create(name + "-out", RingOptions.of(DType.FLOAT32, 64, 64).capacity(4))) {
            OnnxRunner runner = OnnxRunner.of(session);
            try (RingWriter writer = ring.writer()) {
                for (int p = 0; p < 4; p++) {
                    writer.write(new float[64 * 64], p, SECOND);
                }
            }
            RingReader reader = ring.reader("misuse");
            // 1. the lease closed behind its tensor's back (the tensor owns it), then run; then the tensor closed
            RingLease lease = reader.lease(SECOND);
            LeasedTensor kept = OnnxRings.tensor(env, ring, lease);
            lease.close();
            OnnxMisusePeer.print(() -> runner.run(Map.of("frame", kept)));
            kept.close();
            OnnxMisusePeer.print(() -> runner.run(Map.of("frame", kept)));
            // 2. the lease, the reader and the ring handle all closed under a live tensor, then run
            Ring again = Ring.open(name);
            RingReader second = again.reader("second");
            RingLease secondLease = second.lease(SECOND);
            LeasedTensor outlives = OnnxRings.tensor(env, again, secondLease);
            secondLease.close();
            second.close();
            again.close();
            OnnxMisusePeer.print(() -> runner.run(Map.of("frame", outlives)));
            outlives.close();
            // 3. another process (here: this one, by the file) cuts the last two slots off
            truncateLastSlots(ring, 2);
            OnnxMisusePeer.print(() -> OnnxRings.tensor(env, ring, reader.lease(SECOND))); // position 1, slot 1: backed
            OnnxMisusePeer.print(() -> OnnxRings.tensor(env, ring, reader.lease(SECOND))); // position 2, slot 2: cut
            reader.close();
            try (RingInference model = RingInference.builder(env, session).input(ring, "inference").output(out).build()) {
                for (int p = 0; p < 3; p++) { // slots 0 and 1 are backed, slot 2 is cut
                    OnnxMisusePeer.print(() -> model.runNext(SECOND));
                }
            }
        } finally {
            Ring.unlink(name);
            Ring.unlink(name + "-out");
        }
        System.out.println("alive");
    }

    private static void truncateLastSlots(Ring ring, int slots) {
        try (FileChannel file = FileChannel.open(io.arrowshm.internal.posix.Segments.path(
                io.arrowshm.internal.ring.RingNames.of(ring.name()).segment()), StandardOpenOption.WRITE)) {
            file.truncate(file.size() - slots * ring.size());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

/**
 * ONNX Runtime on arrow-shm streams and rings without a copy: {@link io.arrowshm.onnx.LeasedTensor}
 * is an ONNX tensor over memory whose lifetime a {@link io.arrowshm.onnx.MemoryLease} holds (a
 * stream's payload, a ring slot's lease, a private copy), valid exactly as long as it is open;
 * {@link io.arrowshm.onnx.OnnxRunner} runs a session on such tensors and refuses closed ones;
 * {@link io.arrowshm.onnx.OnnxStreams} and {@link io.arrowshm.onnx.OnnxRings} make them over
 * streams and ring leases and write outputs; {@link io.arrowshm.onnx.StreamInference} runs one
 * model from a stream into another, zero-copy both ways, and
 * {@link io.arrowshm.onnx.RingInference} from a ring into another, losslessly (one output frame
 * per input frame).
 *
 * <pre>{@code
 * try (OrtEnvironment env = OrtEnvironment.getEnvironment();
 *      OrtSession session = env.createSession("model.onnx", new OrtSession.SessionOptions());
 *      SharedMemory frames = SharedMemory.open("frames");
 *      SharedMemory scores = SharedMemory.open("scores");
 *      StreamInference model = StreamInference.create(env, session, frames, scores)) {
 *     for (long seen = 0; ; ) {
 *         seen = model.runAfter(seen, Duration.ofSeconds(5));
 *     }
 * }
 * }</pre>
 *
 * <p>JVM flags: those of the core ({@code --add-opens=java.base/java.nio=ALL-UNNAMED}), and
 * {@code --enable-native-access=ALL-UNNAMED}, without which JDK 22 and later warn when ONNX
 * Runtime loads its native library.
 */
package io.arrowshm.onnx;

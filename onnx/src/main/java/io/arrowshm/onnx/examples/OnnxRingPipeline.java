package io.arrowshm.onnx.examples;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.arrowshm.Ring;
import io.arrowshm.onnx.RingInference;
import java.time.Duration;

/**
 * The Java worker of a lossless inference pipeline between two rings: a producer writes frames
 * to one ring; this process runs an ONNX model on every one of them, in order, reading each slot
 * in place, and writes each result to a second ring stamped with its input's position. A frame
 * is consumed only once its result is written, so nothing is lost or done twice.
 *
 * <pre>{@code
 * java -cp ... io.arrowshm.onnx.examples.OnnxRingPipeline model.onnx frames onnx scores 1000
 * }</pre>
 *
 * <p>Both rings must exist when it starts (the producer owns them). It processes {@code count}
 * frames through the cursor {@code cursor} and exits; a worker restarted under the same cursor
 * continues where this one stopped.
 */
public final class OnnxRingPipeline {
    private static final Duration FRAME_TIMEOUT = Duration.ofSeconds(60);

    private OnnxRingPipeline() {
    }

    public static void main(String[] args) throws OrtException {
        if (args.length != 5) {
            System.err.println("usage: OnnxRingPipeline <model.onnx> <input ring> <cursor> <output ring> <frames>");
            System.exit(2);
        }
        long frames = Long.parseLong(args[4]);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(args[0], new OrtSession.SessionOptions());
             Ring input = Ring.open(args[1]);
             Ring output = Ring.open(args[3]);
             RingInference model = RingInference.builder(env, session)
                     .input(input, args[2])
                     .output(output)
                     .frameIds(RingInference.FrameIds.INPUT_POSITION)
                     .build()) {
            System.out.println("ready");
            for (long i = 0; i < frames; i++) {
                model.runNext(FRAME_TIMEOUT);
            }
            System.out.println("done " + frames + " lost " + model.lost());
        }
    }
}

package io.arrowshm.onnx.examples;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.arrowshm.SharedMemory;
import io.arrowshm.onnx.StreamInference;
import java.time.Duration;

/**
 * The Java worker of an inference pipeline: a producer (Python with pyshmem, say) publishes
 * frames to one stream; this process runs an ONNX model on each new frame, reading it in place
 * and writing the model's output straight into a second stream, which a reader (Python again)
 * takes from there. Nothing is copied on the Java side.
 *
 * <pre>{@code
 * # the model, the producer and the checker (onnx/src/test/python), then this worker:
 * python onnx_model.py model.onnx mlp float32 64x64
 * python onnx_producer.py frames scores acks 100 64x64 64x10 &
 * python onnx_checker.py model.onnx scores acks 100 64x64 &
 * java -cp ... io.arrowshm.onnx.examples.OnnxFramePipeline model.onnx frames scores 100
 * }</pre>
 *
 * <p>The streams must exist when it starts (the producer owns them). It processes {@code count}
 * frames, each result stamped with its frame's id, and exits.
 */
public final class OnnxFramePipeline {
    private static final Duration FRAME_TIMEOUT = Duration.ofSeconds(60);

    private OnnxFramePipeline() {
    }

    public static void main(String[] args) throws OrtException {
        if (args.length != 4) {
            System.err.println("usage: OnnxFramePipeline <model.onnx> <input stream> <output stream> <frames>");
            System.exit(2);
        }
        int frames = Integer.parseInt(args[3]);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(args[0], new OrtSession.SessionOptions());
             SharedMemory input = SharedMemory.open(args[1]);
             SharedMemory output = SharedMemory.open(args[2]);
             StreamInference model = StreamInference.create(env, session, input, output)) {
            System.out.println("ready");
            long seen = 0; // a frame published before this process attached is processed at once
            for (int i = 0; i < frames; i++) {
                seen = model.runAfter(seen, FRAME_TIMEOUT);
            }
            System.out.println("done " + frames);
        }
    }
}

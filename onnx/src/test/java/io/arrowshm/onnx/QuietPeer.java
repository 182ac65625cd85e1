package io.arrowshm.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.arrowshm.DType;
import io.arrowshm.SharedMemory;

/**
 * A whole use of the module in a fresh JVM, for {@link QuietLoadTest}: loads ONNX Runtime's
 * natives, opens a session, runs the "double" float32 (4, 8) model between two new streams and
 * prints "ok" and the first result, and nothing else.
 */
public final class QuietPeer {
    private QuietPeer() {
    }

    public static void main(String[] args) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(args[0], new OrtSession.SessionOptions());
             SharedMemory in = SharedMemory.create(args[1], DType.FLOAT32, 4, 8);
             SharedMemory out = SharedMemory.create(args[1] + "-out", DType.FLOAT32, 4, 8);
             StreamInference model = StreamInference.create(env, session, in, out)) {
            float[] frame = new float[32];
            java.util.Arrays.fill(frame, 1.25f);
            in.write(frame, 3);
            model.runLatest();
            float[] result = new float[32];
            out.readInto(result);
            System.out.println("ok " + result[0] + " frame " + out.frameId());
            in.unlink();
            out.unlink();
        }
    }
}

package io.arrowshm.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.arrowshm.DType;
import io.arrowshm.testing.PeerProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

/**
 * The models the tests run, built by src/test/python/onnx_model.py with the onnx package (never
 * downloaded), once per JVM into a temporary directory removed at exit.
 */
public final class Models {
    private static final Map<String, Path> BUILT = new HashMap<>();
    private static Path dir;

    private Models() {
    }

    /** onnx_model.py's {@code kind} (mlp, pool, identity, double) for a {@code dtype} frame of {@code shape}. */
    public static synchronized Path model(String kind, DType dtype, long... shape) {
        String dims = LongStream.of(shape).mapToObj(d -> d < 0 ? "?" : Long.toString(d)).collect(Collectors.joining("x"));
        String key = kind + "-" + dtype.numpyName() + "-" + dims.replace('?', 'N');
        Path built = BUILT.get(key);
        if (built != null) {
            return built;
        }
        OnnxPython.executable(); // onnx must be there: fail under CI, skip elsewhere
        Path file = directory().resolve(key + ".onnx");
        try (PeerProcess python = PeerProcess.python("onnx_model.py", file.toString(), kind, dtype.numpyName(), dims)) {
            List<String> out = python.finish(Duration.ofSeconds(120));
            assertEquals(1, out.size(), "onnx_model.py said " + out);
        }
        file.toFile().deleteOnExit();
        BUILT.put(key, file);
        return file;
    }

    /** A session (ONNX Runtime's defaults) on {@link #model}; the caller closes it. */
    public static OrtSession session(String kind, DType dtype, long... shape) throws OrtException {
        return OrtEnvironment.getEnvironment().createSession(model(kind, dtype, shape).toString(),
                new OrtSession.SessionOptions());
    }

    private static Path directory() {
        if (dir == null) {
            try {
                dir = Files.createTempDirectory("arrowshm-onnx-models");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            dir.toFile().deleteOnExit(); // registered first, so it is deleted after the files in it
        }
        return dir;
    }
}

package io.arrowshm.onnx;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

import io.arrowshm.testing.Python;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The venv's python3 with {@code onnx} and {@code onnxruntime} (scripts/python-requirements.txt),
 * which build every model these tests run and compute the Python reference. Missing packages
 * fail the test under {@code CI=true} and skip it elsewhere, saying why, as {@link Python} does
 * for a missing interpreter.
 */
public final class OnnxPython {
    private static final String IMPORTS = "import onnx, onnxruntime, pyshmem, numpy";
    private static String checked;

    private OnnxPython() {
    }

    /** The interpreter, once it has shown that it imports onnx, onnxruntime, pyshmem and numpy. */
    public static synchronized String executable() {
        String python = Python.executable();
        if (python.equals(checked)) {
            return python;
        }
        String problem = importProblem(python);
        if (problem != null) {
            String reason = python + " cannot '" + IMPORTS + "' (" + problem + "); rerun scripts/python-env.sh,"
                    + " which installs scripts/python-requirements.txt";
            if ("true".equals(System.getenv("CI"))) {
                fail(reason);
            }
            abort(reason);
        }
        checked = python;
        return python;
    }

    private static String importProblem(String python) {
        try {
            Process process = new ProcessBuilder(python, "-c", IMPORTS).redirectErrorStream(true).start();
            process.getOutputStream().close();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return "it did not finish in 120 s";
            }
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (process.exitValue() == 0) {
                return null;
            }
            String[] lines = output.split("\n");
            return lines[lines.length - 1];
        } catch (IOException e) {
            return e.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}

package io.arrowshm.release;

import io.arrowshm.DType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What each README code block needs around it to compile (Java) or to run (Python).
 *
 * <h2>Adding a snippet to a README (root README.md or any module's README.md)</h2>
 * <ol>
 *   <li>Put a marker on the line above the fence, e.g. {@code <!-- snippet: tensors-roundtrip -->}
 *       (an HTML comment: GitHub does not show it). Every {@code ```java} and {@code ```python}
 *       block needs one; a block without it fails {@code ReadmeSnippetsTest}.</li>
 *   <li>Register the name below, in {@link #JAVA} or {@link #PYTHON}:
 *       <ul>
 *         <li>Java, a fragment of statements (the usual case): {@code statements("name")}, plus
 *             {@code .imports(...)} for types the block uses without importing them and
 *             {@code .declare(...)} for the variables it uses without declaring them
 *             ({@code shm}, {@code frame}, ...). The block becomes the body of
 *             {@code static void run() throws Exception}, after the declarations.
 *             {@code io.arrowshm.*} and {@code java.time.Duration} are always imported; a block's
 *             own {@code import} lines are moved to the top of the file.</li>
 *         <li>Java, class members (methods, fields, nested classes): {@code members("name")}.</li>
 *         <li>Java, a whole compilation unit (imports and a top-level class): {@code unit("name")}.</li>
 *         <li>Python: {@code python("name")}, {@code .stream("frames", DType..., shape)} for each
 *             stream the block opens (Java creates it first under a unique name, fills it with 7s,
 *             and that name replaces the quoted {@code "frames"} in the block), and {@code .check(...)}
 *             lines of Python appended to prove it did what the README says. A block that cannot run
 *             here is {@code .skip("why")}: the reason is printed with the skipped test.</li>
 *       </ul></li>
 * </ol>
 * The Java blocks compile against every published module (see this module's pom), with
 * {@code -Xlint:deprecation -Werror}; the Python blocks run with the venv's python (pyshmem 1.4.0,
 * numpy, pyarrow) in the repository root. A name registered here that no README uses any more
 * fails too, so this file stays the list of what the READMEs show.
 */
final class Snippets {
    private Snippets() {
    }

    static final Map<String, JavaWrapper> JAVA = register(List.of(
            statements("quickstart"),
            statements("ring-quickstart"),
            statements("publications")
                    .declare("float[] frame = new float[480 * 640];"),
            statements("nd4j-pipeline")
                    .imports("io.arrowshm.nd4j.Nd4jStreams", "org.nd4j.linalg.api.ndarray.INDArray",
                            "org.nd4j.linalg.ops.transforms.Transforms")
                    .declare("INDArray weights = null; // a (640, n) matrix in the README's story"),
            statements("tensors-record-replay")
                    .imports("java.nio.file.Path", "org.apache.arrow.memory.BufferAllocator",
                            "org.apache.arrow.memory.RootAllocator", "org.apache.arrow.vector.Float4Vector"),
            statements("tensors-ring-record")
                    .imports("java.nio.file.Path", "org.apache.arrow.memory.BufferAllocator",
                            "org.apache.arrow.memory.RootAllocator"),
            statements("flight-serve-mirror")
                    .imports("io.arrowshm.flight.*", "java.nio.file.Path"),
            statements("flight-rings")
                    .imports("io.arrowshm.flight.*"),
            statements("gpu-streams")
                    .declare("float[] hostFrame = new float[480 * 640];", "float[] hostCopy = new float[480 * 640];",
                            "long devicePointer = 0; // device memory on cuda:0 in the README's story",
                            "long myDeviceBuffer = 0; // the reader's own device buffer"),
            statements("onnx-stream-inference")
                    .imports("ai.onnxruntime.OrtEnvironment", "ai.onnxruntime.OrtSession",
                            "io.arrowshm.onnx.StreamInference")
                    .declare("boolean running = true;"),
            statements("onnx-zero-copy")
                    .imports("ai.onnxruntime.OrtEnvironment", "ai.onnxruntime.OrtSession", "io.arrowshm.onnx.*",
                            "java.util.Map")
                    .declare("OrtEnvironment env = OrtEnvironment.getEnvironment();",
                            "OrtSession session = null; // env.createSession(\"model.onnx\", ...) in the README's story",
                            "SharedMemory frames = null; // float32 (64, 64)",
                            "SharedMemory scores = null; // float32 (64, 10)"),
            statements("onnx-ring-inference")
                    .imports("ai.onnxruntime.OrtEnvironment", "ai.onnxruntime.OrtSession",
                            "io.arrowshm.onnx.RingInference")
                    .declare("boolean running = true;"),
            statements("dl4j-ring-iterator")
                    .imports("io.arrowshm.dl4j.RingDataSetIterator",
                            "org.deeplearning4j.nn.multilayer.MultiLayerNetwork")
                    .declare("MultiLayerNetwork network = null; // SmallNetwork.create(7) in the README's story"),
            statements("nd4j-ring-views")
                    .imports("io.arrowshm.nd4j.Nd4jRings", "org.nd4j.linalg.api.ndarray.INDArray"),
            statements("nd4j-cuda-view")
                    .imports("org.bytedeco.javacpp.Pointer", "org.nd4j.linalg.api.buffer.DataBuffer",
                            "org.nd4j.linalg.api.buffer.DataType", "org.nd4j.linalg.api.ndarray.INDArray",
                            "org.nd4j.linalg.factory.Nd4j")
                    .declare("SharedMemory shm = null; // a handle attached with OpenOptions.gpuDevice(\"cuda:0\")")));

    static final Map<String, PythonSetup> PYTHON = register(List.of(
            python("pyshmem-open")
                    .stream("frames", DType.UINT8, 480, 640)
                    .check("assert frame.shape == (480, 640) and str(frame.dtype) == 'uint8', (frame.shape, frame.dtype)",
                            "assert (frame == 7).all()"),
            python("python-ring")
                    .creates("frames")
                    .check("assert (frame.position, frame.frame_id, frame.lost) == (0, 7, 0), frame",
                            "assert frame.array.shape == (480, 640) and (frame.array == 1).all()",
                            "assert total == 2.0 * 480 * 640, total",
                            "assert rows == 3 and r.position == 5 and r.lost == 0, (rows, r.position, r.lost)",
                            "assert ring.closed is False and r.closed and w.closed"),
            python("arrow-shm-reader")
                    .stream("frames", DType.FLOAT32, 480, 640)
                    .check("assert mean == 7.0, mean",
                            "assert frame.shape == (480, 640) and str(frame.dtype) == 'float32', (frame.shape, frame.dtype)",
                            "assert (frame == 7).all()"),
            python("tensors-read-recording")
                    .skip("reads a recording the CLI made and uses polars and pandas, which the test venv does not"
                            + " install; the tensors module's RoundTripTest reads Java recordings with its pyarrow line"),
            python("tensors-write-pyarrow")
                    .check("back = pa.ipc.open_file('from_python.arrow').read_all()",
                            "assert back.num_rows == 100 and back['tensor'].type.shape == [480, 640], back.schema",
                            "import os; os.remove('from_python.arrow')"),
            python("flight-pyarrow")
                    .stream("frames", DType.FLOAT32, 480, 640)
                    .creates("frames-in")
                    .flightServer("grpc://127.0.0.1:8815")
                    .check("assert frame.mean() == 7.0, frame.mean()",
                            "back = client.do_get(flight.Ticket(FRAMES_IN)).read_chunk().data",
                            "assert back['tensor'].type.shape == [480, 640], back.schema",
                            "assert (back['tensor'].to_numpy_ndarray()[0] == frames[-1]).all()"),
            python("flight-ring-pyarrow")
                    .creates("frames-ring")
                    .flightServer("grpc://127.0.0.1:8815")
                    .check("assert rows == list(range(3)), rows",
                            "assert lost == [0, 0, 0], lost",
                            "assert (resumed['position'].to_pylist(), resumed['lost'].to_pylist()) == ([3], [0]),"
                                    + " resumed.to_pydict().keys()",
                            "assert (resumed['tensor'].to_numpy_ndarray()[0] == 3).all()"),
            python("torch-reads-record")
                    .skip("needs torch, a CUDA GPU and a Java GPU stream: gpu/device-check.sh runs it"
                            + " (torch-reads-java-record; passed on an NVIDIA H200, 2026-11-29), and"
                            + " theTorchBlockIsTheHelperTheDeviceCheckRuns keeps this block equal to that helper")));

    /** How a Java block is placed in a compilation unit. */
    enum Kind { STATEMENTS, MEMBERS, UNIT }

    interface Named {
        String name();
    }

    /** A Java block's wrapper: where it goes, and what it may use without declaring it. */
    static final class JavaWrapper implements Named {
        final String name;
        final Kind kind;
        final List<String> imports = new ArrayList<>();
        final List<String> declarations = new ArrayList<>();

        JavaWrapper(String name, Kind kind) {
            this.name = name;
            this.kind = kind;
        }

        @Override
        public String name() {
            return name;
        }

        JavaWrapper imports(String... types) {
            imports.addAll(List.of(types));
            return this;
        }

        JavaWrapper declare(String... statements) {
            declarations.addAll(List.of(statements));
            return this;
        }
    }

    /** A Python block's setup: the streams Java creates for it, the checks after it, or why it cannot run. */
    static final class PythonSetup implements Named {
        final String name;
        final List<StreamSpec> streams = new ArrayList<>();
        final List<String> checks = new ArrayList<>();
        final List<String> created = new ArrayList<>();
        String flightUri;
        String skipReason;

        PythonSetup(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        PythonSetup stream(String readmeName, DType dtype, long... shape) {
            streams.add(new StreamSpec(readmeName, dtype, shape));
            return this;
        }

        /** A stream the block itself creates (a put): the test gives it a unique name and removes it. */
        PythonSetup creates(String readmeName) {
            created.add(readmeName);
            return this;
        }

        /**
         * Runs an arrow-shm Flight server (in the test's JVM, on a free port) over the streams, for
         * a block that connects to {@code readmeUri}; the block sees the real address.
         */
        PythonSetup flightServer(String readmeUri) {
            flightUri = readmeUri;
            return this;
        }

        PythonSetup check(String... lines) {
            checks.addAll(List.of(lines));
            return this;
        }

        PythonSetup skip(String reason) {
            skipReason = reason;
            return this;
        }
    }

    /** A stream the README's block names {@code readmeName}; the test creates it under a unique name. */
    record StreamSpec(String readmeName, DType dtype, long[] shape) {
    }

    static JavaWrapper statements(String name) {
        return new JavaWrapper(name, Kind.STATEMENTS);
    }

    static JavaWrapper members(String name) {
        return new JavaWrapper(name, Kind.MEMBERS);
    }

    static JavaWrapper unit(String name) {
        return new JavaWrapper(name, Kind.UNIT);
    }

    static PythonSetup python(String name) {
        return new PythonSetup(name);
    }

    private static <T extends Named> Map<String, T> register(List<T> entries) {
        Map<String, T> byName = new LinkedHashMap<>();
        for (T entry : entries) {
            if (byName.put(entry.name(), entry) != null) {
                throw new IllegalStateException("snippet '" + entry.name() + "' is registered twice");
            }
        }
        return byName;
    }
}

package io.arrowshm.benchmarks.process;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The pyshmem side of the benchmarks ships in the jar under {@code python/}; it is copied to a
 * directory before python3 can run it, which makes {@code java -jar} independent of the source tree.
 */
public final class PythonScripts {
    public static final String MICRO = "bench_pyshmem.py";
    public static final String PING_PONG = "pingpong_pyshmem.py";
    public static final String FLIGHT = "flight_bench.py";
    public static final String ONNX = "onnx_bench.py";
    /** The onnx module's model builder (onnx/src/test/python), packaged here too: one copy of it. */
    public static final String ONNX_MODEL = "onnx_model.py";

    private final Path directory;

    private PythonScripts(Path directory) {
        this.directory = directory;
    }

    public static PythonScripts extractTo(Path directory) {
        try {
            Files.createDirectories(directory);
            for (String name : new String[] {MICRO, PING_PONG, FLIGHT, ONNX, ONNX_MODEL}) {
                try (InputStream in = PythonScripts.class.getResourceAsStream("/python/" + name)) {
                    if (in == null) {
                        throw new IllegalStateException("python/" + name + " is missing from the class path;"
                                + " rebuild the benchmarks module");
                    }
                    Files.copy(in, directory.resolve(name), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the benchmark scripts to " + directory, e);
        }
        return new PythonScripts(directory);
    }

    public Path path(String name) {
        return directory.resolve(name);
    }
}

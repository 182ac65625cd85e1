package io.arrowshm.benchmarks.process;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The python3 that has pyshmem 1.4.0: {@code --python}, the build's {@code arrowshm.python}
 * property, {@code $ARROWSHM_PYTHON}, then {@code .venv/bin/python} in the working directory or
 * one of its parents (the repository root when run from a module).
 */
public final class PythonFinder {
    private PythonFinder() {
    }

    public static Optional<String> find(String explicit) {
        List<String> candidates = new ArrayList<>();
        if (explicit != null) {
            candidates.add(explicit);
        }
        String property = System.getProperty("arrowshm.python");
        if (property != null && !property.isEmpty()) {
            candidates.add(property);
        }
        String env = System.getenv("ARROWSHM_PYTHON");
        if (env != null && !env.isEmpty()) {
            candidates.add(env);
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            candidates.add(dir.resolve(".venv/bin/python").toString());
        }
        for (String candidate : candidates) {
            if (Files.isExecutable(Path.of(candidate)) && importsPyshmem(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static boolean importsPyshmem(String python) {
        try {
            Process check = new ProcessBuilder(python, "-c", "import pyshmem, numpy")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return check.waitFor(30, TimeUnit.SECONDS) && check.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }
}

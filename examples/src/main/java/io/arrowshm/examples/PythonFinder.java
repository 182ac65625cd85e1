package io.arrowshm.examples;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Finds a python3 that imports pyshmem: {@code $ARROWSHM_PYTHON}, the project's
 * {@code .venv} (from the working directory or beside the jar), then {@code python3}.
 */
final class PythonFinder {
    private PythonFinder() {
    }

    static Optional<String> find() {
        List<String> candidates = new ArrayList<>();
        String configured = System.getenv("ARROWSHM_PYTHON");
        if (configured != null && !configured.isEmpty()) {
            candidates.add(configured);
        }
        candidates.add(Path.of(".venv", "bin", "python").toAbsolutePath().toString());
        try {
            Path jar = Path.of(LiveDemo.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path root = jar.getParent() == null ? null : jar.getParent().getParent();
            if (root != null && root.getParent() != null) {
                candidates.add(root.getParent().resolve(".venv/bin/python").toString());
            }
        } catch (Exception ignored) {
            // no code source: fall through to python3
        }
        candidates.add("python3");
        for (String candidate : candidates) {
            if ((candidate.equals("python3") || Files.isExecutable(Path.of(candidate))) && importsPyshmem(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static boolean importsPyshmem(String python) {
        try {
            Process check = new ProcessBuilder(python, "-c", "import pyshmem")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return check.waitFor(20, TimeUnit.SECONDS) && check.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }
}

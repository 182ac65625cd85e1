package io.arrowshm.tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Finds a python3 that imports pyshmem and numpy, for programs that run a pyshmem peer beside
 * Java (the live demo, the benchmarks). Candidates, first usable wins: an explicit path, the
 * {@code arrowshm.python} system property (the build sets it), {@code $ARROWSHM_PYTHON},
 * {@code .venv/bin/python} in the working directory or any parent, the same beside the code
 * (the jar or classes directory, or any parent: the repository root when run from a module),
 * then {@code python3} on the PATH.
 */
public final class PythonLocator {
    private static final String VENV_PYTHON = ".venv/bin/python";
    private static final String PATH_PYTHON = "python3";
    /** A cold interpreter importing numpy on a loaded machine can take seconds. */
    private static final long CHECK_TIMEOUT_SECONDS = 30;

    private PythonLocator() {
    }

    /** The first usable interpreter of the search above. */
    public static Optional<String> find() {
        return find(null);
    }

    /** The same, trying {@code explicit} first when it is not null (a command-line option). */
    public static Optional<String> find(String explicit) {
        // A set: the working directory and the code's location usually share parents, and each
        // check of an unusable candidate can cost a process start.
        Set<String> candidates = new LinkedHashSet<>();
        addIfSet(candidates, explicit);
        addIfSet(candidates, System.getProperty("arrowshm.python"));
        addIfSet(candidates, System.getenv("ARROWSHM_PYTHON"));
        addVenvs(candidates, Path.of("").toAbsolutePath());
        codeLocation().ifPresent(location -> addVenvs(candidates, location));
        candidates.add(PATH_PYTHON);
        for (String candidate : candidates) {
            if ((candidate.equals(PATH_PYTHON) || Files.isExecutable(Path.of(candidate))) && importsPyshmem(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static void addIfSet(Set<String> candidates, String path) {
        if (path != null && !path.isEmpty()) {
            candidates.add(path);
        }
    }

    private static void addVenvs(Set<String> candidates, Path start) {
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            candidates.add(dir.resolve(VENV_PYTHON).toString());
        }
    }

    private static Optional<Path> codeLocation() {
        try {
            return Optional.of(Path.of(PythonLocator.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                    .toAbsolutePath());
        } catch (Exception e) {
            return Optional.empty(); // no code source (a custom class loader): the other candidates remain
        }
    }

    private static boolean importsPyshmem(String python) {
        try {
            Process check = new ProcessBuilder(python, "-c", "import pyshmem, numpy")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!check.waitFor(CHECK_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                check.destroyForcibly();
                return false;
            }
            return check.exitValue() == 0;
        } catch (IOException e) {
            return false; // not runnable: try the next candidate
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}

package io.arrowshm.testing;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The python3 that interop tests run: the project's venv with pyshmem 1.4.0 (made by
 * scripts/python-env.sh, path passed by the build as {@code arrowshm.python}). Under
 * {@code CI=true} a missing interpreter fails the test; elsewhere it is skipped, saying why.
 *
 * <p>Not {@code io.arrowshm.tools.PythonLocator}, which programs use: a test must run the
 * build's venv or no python at all (never whichever python3 the PATH offers), and must fail
 * or skip through JUnit rather than quietly go without.
 */
public final class Python {
    private Python() {
    }

    public static String executable() {
        String configured = System.getProperty("arrowshm.python");
        Path path = configured != null ? Path.of(configured) : Path.of("..", ".venv", "bin", "python");
        if (!Files.isExecutable(path)) {
            String reason = "no python with pyshmem at " + path.toAbsolutePath()
                    + " (run scripts/python-env.sh, or the build, which runs it)";
            if ("true".equals(System.getenv("CI"))) {
                fail(reason);
            }
            abort(reason);
        }
        return path.toString();
    }

    /** Absolute path of a helper script under this module's src/test/python. */
    public static String script(String name) {
        Path path = Path.of("src", "test", "python", name).toAbsolutePath();
        if (!Files.isRegularFile(path)) {
            fail("missing test script " + path);
        }
        return path.toString();
    }
}

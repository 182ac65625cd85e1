package io.arrowshm.cli;

/**
 * The statuses every command exits with, for scripts to test.
 *
 * <pre>{@code
 * int status = ArrowShmCli.run("stat", "frames");   // ExitStatus.STREAM when 'frames' does not exist
 * }</pre>
 */
public final class ExitStatus {
    public static final int OK = 0;
    /** Bad options or arguments: nothing was done. */
    public static final int USAGE = 1;
    /** A stream is missing or invalid, or the operation on it failed. */
    public static final int STREAM = 2;

    private ExitStatus() {
    }
}

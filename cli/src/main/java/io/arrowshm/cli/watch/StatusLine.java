package io.arrowshm.cli.watch;

import java.io.PrintStream;

/**
 * The live status line on stderr. On a terminal it rewrites one line in place; elsewhere
 * (a pipe, a log, a test) each refresh is its own line, since a carriage return would glue
 * them into one.
 */
public final class StatusLine {
    private static final String CLEAR_TO_END = "\u001b[K";

    private final PrintStream err;
    private final boolean terminal;
    private boolean pending;

    public StatusLine(PrintStream err, boolean terminal) {
        this.err = err;
        this.terminal = terminal;
    }

    /** Whether this JVM talks to a terminal (Java 17 only says so when stdin and stdout both are one). */
    public static boolean onTerminal() {
        return System.console() != null;
    }

    public void show(String status) {
        if (terminal) {
            err.print("\r" + status + CLEAR_TO_END);
            pending = true;
        } else {
            err.println(status);
        }
        err.flush();
    }

    /** Ends the in-place line, so that what follows starts on a fresh one. */
    public void finish() {
        if (pending) {
            err.println();
            err.flush();
            pending = false;
        }
    }
}

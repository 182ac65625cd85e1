package io.arrowshm.gpu.check;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Runs the device check's checks and prints the report: one
 * {@code CHECK <name>: PASS|FAIL|SKIP <facts> [<seconds> s]} line each, then a
 * {@code SUMMARY} line. Each check runs on a thread of its own, so one stuck in a driver call
 * is reported (with where it is stuck) and the next checks still run, instead of the whole
 * report being lost to the script's timeout.
 */
final class CheckRunner {

    /** One check: returns its facts for the PASS line, throws for FAIL, {@link Skip} for SKIP. */
    interface Check {
        String run() throws Exception;
    }

    /** A check that cannot run here (a missing helper), with the reason. */
    static final class Skip extends Exception {
        private static final long serialVersionUID = 1L;

        Skip(String why) {
            super(why);
        }
    }

    private final Duration limit;
    private final PrintStream out;
    private final List<String> lines = new ArrayList<>();
    private int failed;

    CheckRunner(Duration limit, PrintStream out) {
        this.limit = limit;
        this.out = out;
    }

    /** Runs {@code check}, prints its line and returns it. */
    String run(String name, Check check) {
        long start = System.nanoTime();
        String[] outcome = new String[1];
        Thread runner = new Thread(() -> outcome[0] = outcome(name, check), "check-" + name);
        runner.setDaemon(true);
        runner.start();
        try {
            runner.join(limit.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String line;
        if (runner.isAlive()) {
            StringBuilder where = new StringBuilder();
            for (StackTraceElement frame : runner.getStackTrace()) {
                where.append("\n      at ").append(frame);
            }
            line = "CHECK " + name + ": FAIL still running after " + limit.toSeconds() + " s, at:" + where;
        } else {
            line = outcome[0];
        }
        if (line.startsWith("CHECK " + name + ": FAIL ")) {
            failed++;
        }
        line += String.format(Locale.ROOT, " [%.1f s]", (System.nanoTime() - start) / 1e9);
        lines.add(line);
        out.println(line);
        out.flush();
        return line;
    }

    private String outcome(String name, Check check) {
        try {
            return "CHECK " + name + ": PASS " + check.run();
        } catch (Skip skip) {
            return "CHECK " + name + ": SKIP " + skip.getMessage();
        } catch (Throwable e) {
            StringWriter trace = new StringWriter();
            e.printStackTrace(new PrintWriter(trace));
            System.err.println("--- " + name + " failed:\n" + trace);
            StringBuilder line = new StringBuilder("CHECK " + name + ": FAIL " + e);
            for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
                line.append(" <- ").append(c);
            }
            return line.toString();
        }
    }

    int failed() {
        return failed;
    }

    List<String> lines() {
        return List.copyOf(lines);
    }

    /** The SUMMARY line. */
    String summary() {
        return "SUMMARY: " + (lines.size() - failed) + " of " + lines.size() + " checks passed"
                + (failed == 0 ? "" : ", " + failed + " failed");
    }
}

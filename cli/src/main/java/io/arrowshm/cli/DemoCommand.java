package io.arrowshm.cli;

import io.arrowshm.examples.LiveDemo;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code arrow-shm demo}: the examples module's live demo. Its producer and consumer JVMs
 * start from this JVM's class path, which under {@code java -jar} is the CLI jar itself, so
 * the one jar is all the demo needs.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run the live demo: producer JVM, consumer JVM, pyshmem reader (--ring: on a ring, with a recorder).",
                "Each process prints frames/s, latency and missed frames; the pyshmem reader runs when a python3 "
                        + "with pyshmem is found ($ARROWSHM_PYTHON, .venv, python3)."})
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--seconds", paramLabel = "S", description = "How long the producer writes (default 5).")
    private Double seconds;

    @Option(names = "--fps", paramLabel = "N", description = "Frames per second (default 200).")
    private Integer fps;

    @Option(names = "--shape", paramLabel = "HxW", description = "Frame shape, e.g. 480x640 (the default).")
    private String shape;

    @Option(names = "--no-python", description = "Leave out the Python reader.")
    private boolean noPython;

    @Option(names = "--ring", description = "Run it on a BLOCK ring: a Java consumer, a Python consumer (arrow_shm) and,"
            + " with --record, a recorder each get every frame (lost 0); the producer waits for the slowest.")
    private boolean ring;

    @Option(names = "--record", paramLabel = "FILE", description = "With --ring: record every frame to this Arrow IPC file.")
    private String record;

    @Override
    public Integer call() throws Exception {
        List<String> args = new ArrayList<>();
        if (seconds != null) {
            args.addAll(List.of("--seconds", Double.toString(positive(seconds, "--seconds"))));
        }
        if (fps != null) {
            args.addAll(List.of("--fps", Integer.toString((int) positive(fps, "--fps"))));
        }
        if (shape != null) {
            if (!shape.matches("[1-9][0-9]*(x[1-9][0-9]*)*")) {
                throw new IllegalArgumentException("--shape must look like 480x640, got '" + shape + "'");
            }
            args.addAll(List.of("--shape", shape));
        }
        if (noPython) {
            args.add("--no-python");
        }
        if (record != null && !ring) {
            throw new IllegalArgumentException("--record FILE goes with --ring");
        }
        if (ring) {
            args.add("--ring");
        }
        if (record != null) {
            args.addAll(List.of("--record", record));
        }
        // LiveDemo exits the JVM itself (status 2) when a child fails; on success it returns.
        LiveDemo.main(args.toArray(new String[0]));
        return ExitStatus.OK;
    }

    private static double positive(double value, String option) {
        if (!(value > 0)) {
            throw new IllegalArgumentException(option + " must be positive, got " + value);
        }
        return value;
    }
}

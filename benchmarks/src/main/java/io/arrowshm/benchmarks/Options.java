package io.arrowshm.benchmarks;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * The command line: {@code [--quick] [--out DIR] [--python PATH] [--only jmh,pyshmem,pingpong,throughput]}.
 *
 * @param python an explicit interpreter, or null to search (see {@code PythonLocator})
 */
public record Options(RunMode mode, Path out, String python, Set<Stage> stages) {
    public static final Path DEFAULT_OUT = Path.of("benchmarks", "target", "results");

    /** The four parts of a run; {@code --only} picks some (for working on one of them). */
    public enum Stage {
        JMH, PYSHMEM, PINGPONG, THROUGHPUT
    }

    public static final String USAGE = "usage: arrow-shm-benchmarks [--quick] [--out DIR] [--python PATH]"
            + " [--only jmh,pyshmem,pingpong,throughput]\n"
            + "  --quick   smoke run (about 2 minutes): every case once, short; figures are rough\n"
            + "  --out     where results.json, results.md, roundtrip.png and logs/ go (default "
            + DEFAULT_OUT + ", from the working directory)\n"
            + "  --python  python3 with pyshmem 1.4.0 (default: $ARROWSHM_PYTHON, then .venv/bin/python here or\n"
            + "            above, then python3)";

    public static Options parse(String... args) {
        RunMode mode = RunMode.FULL;
        Path out = DEFAULT_OUT;
        String python = null;
        Set<Stage> stages = EnumSet.allOf(Stage.class);
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick":
                    mode = RunMode.QUICK;
                    break;
                case "--full":
                    mode = RunMode.FULL;
                    break;
                case "--out":
                    out = Path.of(value(args, ++i));
                    break;
                case "--python":
                    python = value(args, ++i);
                    break;
                case "--only":
                    stages = EnumSet.noneOf(Stage.class);
                    for (String stage : value(args, ++i).split(",")) {
                        stages.add(Stage.valueOf(stage.trim().toUpperCase(Locale.ROOT)));
                    }
                    break;
                default:
                    throw new IllegalArgumentException("unknown argument '" + args[i] + "'\n" + USAGE);
            }
        }
        return new Options(mode, out, python, stages);
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException(args[i - 1] + " needs a value\n" + USAGE);
        }
        return args[i];
    }
}

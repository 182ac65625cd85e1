package io.arrowshm.cli;

import io.arrowshm.Ring;
import io.arrowshm.RingInfo;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code arrow-shm cursor list RING} and {@code arrow-shm cursor drop RING NAME...}: a ring's named
 * cursors, and removing those no reader needs any more (a dropped cursor no longer holds a BLOCK
 * writer back, and a reader attaching under its name starts afresh).
 */
@Command(name = "cursor", mixinStandardHelpOptions = true,
        description = "List a ring's cursors, or drop cursors no reader needs any more.",
        subcommands = {CursorCommand.ListCursors.class, CursorCommand.DropCursors.class})
final class CursorCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing command: list or drop");
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Show a ring's cursors: position, lag, reader pid and liveness, whether it holds the writer.")
    static final class ListCursors implements Callable<Integer> {
        @Spec
        private CommandSpec spec;

        @Parameters(paramLabel = "RING", description = "The ring's name.")
        private String ring;

        @Option(names = "--json", description = "Print a JSON array of the cursors.")
        private boolean json;

        @Override
        public Integer call() {
            RingInfo info = Ring.stat(ring);
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(Json.write(info.cursors().stream().map(RingFields::cursor).toList()));
            } else if (info.cursors().isEmpty()) {
                spec.commandLine().getErr().println("ring '" + ring + "' has no cursors");
            } else {
                out.print(RingFields.cursorTable(info));
            }
            out.flush();
            spec.commandLine().getErr().flush();
            return ExitStatus.OK;
        }
    }

    @Command(name = "drop", mixinStandardHelpOptions = true,
            description = {"Remove named cursors of a ring; prints each name removed.",
                    "A cursor a live reader holds is not removed (exit status 2)."})
    static final class DropCursors implements Callable<Integer> {
        @Spec
        private CommandSpec spec;

        @Parameters(index = "0", paramLabel = "RING", description = "The ring's name.")
        private String ring;

        @Parameters(index = "1..*", arity = "1..*", paramLabel = "NAME", description = "The cursors to remove.")
        private List<String> cursors;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            int status = ExitStatus.OK;
            try (Ring handle = Ring.open(ring)) {
                for (String cursor : cursors) {
                    if (handle.dropCursor(cursor)) {
                        out.println(cursor);
                    } else {
                        spec.commandLine().getErr().println(spec.qualifiedName() + ": ring '" + ring
                                + "' has no cursor '" + cursor + "'");
                        status = ExitStatus.STREAM;
                    }
                }
            }
            out.flush();
            spec.commandLine().getErr().flush();
            return status;
        }
    }
}

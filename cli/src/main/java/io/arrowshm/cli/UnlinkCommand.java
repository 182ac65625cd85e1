package io.arrowshm.cli;

import io.arrowshm.InvalidMetadataException;
import io.arrowshm.Ring;
import io.arrowshm.SharedMemory;
import io.arrowshm.StreamNotFoundException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code arrow-shm unlink NAME...}: removes streams by name. Unlike the silent library call,
 * a name that does not exist is reported (status 2), after the others are removed.
 */
@Command(name = "unlink", mixinStandardHelpOptions = true,
        description = "Remove streams or rings by name; prints each name removed.")
final class UnlinkCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Parameters(paramLabel = "NAME", arity = "1..*", description = "Names of the streams or rings to remove.")
    private List<String> names;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        List<String> missing = new ArrayList<>();
        for (String name : names) {
            if (Ring.unlink(name)) {
                out.println(name);
                continue;
            }
            try {
                SharedMemory.stat(name);
            } catch (StreamNotFoundException e) {
                missing.add("'" + name + "'");
                continue;
            } catch (InvalidMetadataException broken) {
                // A corrupt stream is exactly what one wants to remove: unlink it anyway.
            }
            SharedMemory.unlink(name);
            out.println(name);
        }
        out.flush();
        if (!missing.isEmpty()) {
            spec.commandLine().getErr().println(spec.qualifiedName() + ": no such stream or ring: "
                    + String.join(", ", missing));
            spec.commandLine().getErr().flush();
            return ExitStatus.STREAM;
        }
        return ExitStatus.OK;
    }
}

package io.arrowshm.cli;

import io.arrowshm.Ring;
import io.arrowshm.SharedMemory;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code arrow-shm purge}: removes every valid stream on the host (pyshmem's {@code purge}) and
 * every ring, never files that merely look like them.
 */
@Command(name = "purge", mixinStandardHelpOptions = true,
        description = "Remove every valid stream and ring on this host; prints each name removed.")
final class PurgeCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--include-cuda-orphans",
            description = "Also remove PyTorch CUDA IPC files (/dev/shm/cuda.shm.*) whose producer process is gone.")
    private boolean includeCudaOrphans;

    @Option(names = "--dry-run", description = "Only print the streams that would be removed.")
    private boolean dryRun;

    @Override
    public Integer call() {
        List<String> names = new java.util.ArrayList<>(dryRun ? SharedMemory.listStreams()
                : SharedMemory.purge(includeCudaOrphans));
        names.addAll(dryRun ? Ring.list() : Ring.purge());
        PrintWriter out = spec.commandLine().getOut();
        names.forEach(out::println);
        out.flush();
        PrintWriter err = spec.commandLine().getErr();
        if (names.isEmpty()) {
            err.println("no streams found");
        }
        if (dryRun && includeCudaOrphans) {
            err.println("(the CUDA IPC orphans that --include-cuda-orphans would remove are not listed by --dry-run)");
        }
        err.flush();
        return ExitStatus.OK;
    }
}

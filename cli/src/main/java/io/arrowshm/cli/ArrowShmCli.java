package io.arrowshm.cli;

import io.arrowshm.cli.bench.BenchCommand;
import io.arrowshm.cli.flight.MirrorCommand;
import io.arrowshm.cli.flight.ServeCommand;
import io.arrowshm.cli.tensors.RecordCommand;
import io.arrowshm.cli.tensors.ReplayCommand;
import io.arrowshm.cli.watch.WatchCommand;
import io.arrowshm.examples.JvmOptions;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code arrow-shm} command: inspect and exercise shared-memory streams from a shell.
 *
 * <pre>{@code
 * arrow-shm list
 * arrow-shm stat frames
 * arrow-shm cursor drop frames old-trainer
 * arrow-shm cat frames
 * arrow-shm watch frames --seconds 10
 * arrow-shm record frames frames.arrow --seconds 10
 * arrow-shm replay frames.arrow frames --loop
 * arrow-shm serve --port 8815
 * arrow-shm mirror grpc://camera-host:8815/frames
 * }</pre>
 *
 * <p>Exit status: 0 on success, 1 on a usage error, 2 when a stream is missing or invalid
 * (or the operation on it fails). Errors are one line on stderr; stdout carries only data.
 */
@Command(name = "arrow-shm", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Inspect and exercise arrow-shm / pyshmem shared-memory streams and arrow-shm rings on this host.",
        subcommands = {ListCommand.class, StatCommand.class, UnlinkCommand.class, PurgeCommand.class, CursorCommand.class,
                CatCommand.class, WatchCommand.class, RecordCommand.class, ReplayCommand.class, ServeCommand.class,
                MirrorCommand.class, BenchCommand.class,
                DemoCommand.class},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:success", "1:usage error", "2:stream missing or invalid, or the operation failed"})
public final class ArrowShmCli implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing command: list, stat, unlink, purge, cursor, cat,"
                + " watch, record, replay, serve, mirror, bench or demo");
    }

    /**
     * Runs the command line and exits with its status. On JDK 24+ started without
     * {@code --sun-misc-unsafe-memory-access} (plain {@code java -jar}; {@code bin/arrow-shm} passes
     * it), the command runs in a child JVM that has it, so Arrow's {@code sun.misc.Unsafe} warning
     * never reaches stderr.
     *
     * @param args the command line
     * @throws Exception if the child JVM cannot be started
     */
    public static void main(String[] args) throws Exception {
        System.exit(JvmOptions.wouldWarn() ? JvmOptions.relaunched(ArrowShmCli.class, args) : run(args));
    }

    /** Runs one command line and returns its exit status (what {@link #main} exits with). */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    static CommandLine commandLine() {
        Failures failures = new Failures();
        return new CommandLine(new ArrowShmCli())
                .setParameterExceptionHandler(failures)
                .setExecutionExceptionHandler(failures);
    }
}

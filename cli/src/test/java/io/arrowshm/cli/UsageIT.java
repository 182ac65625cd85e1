package io.arrowshm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The command line's contract, whatever the command: help, version and usage errors. */
class UsageIT {
    @Test
    void helpListsEveryCommandOnStdout() {
        Cli.Result help = Cli.run("--help").ok();
        for (String command : new String[] {"list", "stat", "unlink", "purge", "cat", "watch", "bench", "demo"}) {
            assertTrue(help.out().contains("\n  " + command + " "), help::toString);
        }
        assertTrue(help.stderr.isEmpty(), help::toString);
    }

    @Test
    void versionNamesTheBuild() {
        Cli.Result version = Cli.run("--version").ok();
        assertTrue(version.out().startsWith("arrow-shm 0."), version::toString);
    }

    @Test
    void usageErrorsExitOneWithOneLine() {
        Cli.run().fails(ExitStatus.USAGE);
        Cli.run("frobnicate").fails(ExitStatus.USAGE);
        Cli.run("stat").fails(ExitStatus.USAGE);
        Cli.run("list", "--bogus").fails(ExitStatus.USAGE);
        Cli.run("unlink").fails(ExitStatus.USAGE);
        Cli.run("watch", "some-stream", "--count", "zero").fails(ExitStatus.USAGE);
        Cli.run("watch", "some-stream", "--seconds", "-1").fails(ExitStatus.USAGE);
        Cli.run("bench", "--rounds", "1").fails(ExitStatus.USAGE);
        Cli.run("demo", "--shape", "tall").fails(ExitStatus.USAGE);
    }

    @Test
    void anArgumentTheLibraryRefusesIsAUsageError() {
        Cli.Result result = Cli.run("stat", "").fails(ExitStatus.USAGE);
        assertTrue(result.stderr.startsWith("arrow-shm stat: name must be a non-empty string"), result::toString);
    }

    @Test
    void subcommandHelpDescribesItsOptions() {
        Cli.Result help = Cli.run("cat", "--help").ok();
        assertTrue(help.out().contains("--full") && help.out().contains("--raw"), help::toString);
        assertEquals(0, Cli.run("watch", "--help").ok().stderr.length());
    }
}

package io.arrowshm.cli;

import io.arrowshm.SharedMemoryException;
import io.arrowshm.tensors.TensorFileException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Turns every failure into one line on stderr and an exit status: scripts read the status,
 * people read the line, and nothing lands on stdout, which carries only data.
 */
final class Failures implements IParameterExceptionHandler, IExecutionExceptionHandler {
    @Override
    public int handleParseException(ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        print(command, e.getMessage() + " (see '" + command.getCommandSpec().qualifiedName() + " --help')");
        return ExitStatus.USAGE;
    }

    @Override
    public int handleExecutionException(Exception e, CommandLine command, ParseResult parsed) {
        if (e instanceof ParameterException) {
            return handleParseException((ParameterException) e, parsed.originalArgs().toArray(new String[0]));
        }
        if (e instanceof IllegalArgumentException) {
            // The library's verdict on an argument, e.g. a stream name too long for the metadata.
            print(command, e.getMessage());
            return ExitStatus.USAGE;
        }
        if (e instanceof SharedMemoryException || e instanceof TensorFileException || e instanceof BadInputException
                || e instanceof UncheckedIOException) {
            // A stream, a file or a flag's file: the message names it and says what is wrong.
            print(command, e.getMessage());
            return ExitStatus.STREAM;
        }
        // Anything else is unexpected: name the exception, since there is no stack trace.
        print(command, e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        return ExitStatus.STREAM;
    }

    private static void print(CommandLine command, String message) {
        PrintWriter err = command.getErr();
        err.println(command.getCommandSpec().qualifiedName() + ": " + oneLine(message));
        err.flush();
    }

    static String oneLine(String message) {
        return message == null ? "failed" : message.strip().replaceAll("\\s*\\R\\s*", " ");
    }
}

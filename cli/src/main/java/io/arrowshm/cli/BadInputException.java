package io.arrowshm.cli;

/**
 * A file or flag value the command cannot use (a missing token file, a certificate that is not
 * PEM): its message is the one line to print, naming the flag and the file; exit status 2.
 */
public final class BadInputException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BadInputException(String message) {
        super(message);
    }
}

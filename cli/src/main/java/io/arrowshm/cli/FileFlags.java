package io.arrowshm.cli;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Checks a file named by a flag before a command uses it, so that the error names the flag, the
 * file and the reason in one line ({@code --token-file /x/token: no such file}) rather than an
 * exception's text.
 *
 * <pre>{@code
 * FileFlags.readable("--token-file", tokenFile);
 * FileFlags.check("--tls-cert", certificate, PemFiles::requireCertificates);
 * }</pre>
 */
public final class FileFlags {
    private FileFlags() {
    }

    /** {@code path} exists, is a regular file and can be read. */
    public static void readable(String flag, Path path) {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS) && !Files.exists(path)) {
            throw new BadInputException(flag + " " + path + ": no such file");
        }
        if (Files.isDirectory(path)) {
            throw new BadInputException(flag + " " + path + ": is a directory, not a file");
        }
        if (!Files.isReadable(path)) {
            throw new BadInputException(flag + " " + path + ": permission denied");
        }
    }

    /** {@link #readable} and then {@code check}, whose IllegalArgumentException message is the reason. */
    public static void check(String flag, Path path, Consumer<Path> check) {
        readable(flag, path);
        try {
            check.accept(path);
        } catch (IllegalArgumentException e) {
            throw new BadInputException(flag + " " + path + ": " + e.getMessage());
        }
    }
}

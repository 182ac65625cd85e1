package io.arrowshm.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.DType;
import io.arrowshm.SharedMemory;
import io.arrowshm.tensors.testing.HostileIpc;
import io.arrowshm.testing.Names;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Defect 9 of the edge-hardening issue: every bad file or flag is one line that names it and says
 * what is wrong, exit status 2. Before the fix: a damaged file header printed a
 * NullPointerException's text, {@code record} into a missing directory and {@code --token-file}
 * on a missing file printed "UncheckedIOException" without the reason, and a non-PEM
 * {@code --tls-cert} printed netty's "Input stream not contain valid certificates." (exit 1)
 * without naming the file.
 */
class BadInputErrorsIT {
    /** One line naming {@code what}, saying {@code reason}, no exception class names, exit 2. */
    private static Cli.Result assertClear(Cli.Result result, String what, String reason) {
        result.fails(ExitStatus.STREAM);
        assertTrue(result.stderr.contains(what), "names " + what + ": " + result);
        assertTrue(result.stderr.contains(reason), "says '" + reason + "': " + result);
        assertFalse(result.stderr.matches("(?s).*(Exception|Error:|Cannot invoke|null).*"),
                "a reason, not an exception: " + result);
        return result;
    }

    @Test
    void aDamagedFileHeaderIsDescribedNotAJavaException(@TempDir Path dir) throws Exception {
        Path honest = dir.resolve("honest.arrow");
        try (BufferAllocator allocator = new RootAllocator()) {
            HostileIpc.write(honest, true, HostileIpc.schema(DType.FLOAT32, 4, 4),
                    List.of(HostileIpc.honest(allocator, DType.FLOAT32, new long[] {4, 4}, 4, 1, HostileIpc.Codec.NONE)));
        }
        Path damaged = damageThatBreaksTheFlatbuffers(honest, dir.resolve("damaged.arrow"));
        String target = Names.unique("bad-header");
        try {
            assertClear(Cli.run("replay", damaged.toString(), target, "--fast"), damaged.toString(), "damaged");
            assertFalse(SharedMemory.listStreams().contains(target));
        } finally {
            SharedMemory.unlink(target);
        }
    }

    /**
     * One byte of the footer changed so that Arrow Java's flatbuffer code trips over a missing
     * field (a NullPointerException underneath): the first such byte of the file's second half.
     */
    private static Path damageThatBreaksTheFlatbuffers(Path honest, Path damaged) throws Exception {
        int[] found = {-1, 0};
        HostileIpc.sweepSingleByteDamages(honest, damaged, (int) Files.size(honest) / 2, (at, value, e) -> {
            for (Throwable cause = e == null ? null : e.getCause(); cause != null; cause = cause.getCause()) {
                if (cause instanceof NullPointerException) {
                    found[0] = at;
                    found[1] = value;
                    return false;
                }
            }
            return true;
        });
        assertTrue(found[0] >= 0, "no single-byte damage of the footer reached a NullPointerException");
        byte[] bytes = Files.readAllBytes(honest);
        bytes[found[0]] = (byte) found[1];
        return Files.write(damaged, bytes);
    }

    @Test
    void recordIntoAMissingDirectoryNamesIt(@TempDir Path dir) {
        String name = Names.unique("bad-record");
        try (SharedMemory shm = SharedMemory.create(name, DType.UINT8, 8)) {
            Path missing = dir.resolve("no-such-dir").resolve("frames.arrow");
            assertClear(Cli.run("record", name, missing.toString(), "--frames", "1"), missing.getParent().toString(),
                    "no such directory");
            assertClear(Cli.run("record", name, dir.toString(), "--frames", "1"), dir.toString(), "is a directory");
        } finally {
            SharedMemory.unlink(name);
        }
    }

    @Test
    void aMissingTokenFileIsNamedWithTheReason(@TempDir Path dir) {
        Path missing = dir.resolve("token.txt");
        assertClear(Cli.run("serve", "--port", "0", "--token-file", missing.toString()), "--token-file " + missing,
                "no such file");
        assertClear(Cli.run("mirror", "grpc://127.0.0.1:1/x", "--token-file", missing.toString()),
                "--token-file " + missing, "no such file");
    }

    @Test
    void nonPemTlsFilesAreNamed(@TempDir Path dir) throws Exception {
        Path text = Files.writeString(dir.resolve("notes.txt"), "not a certificate\n");
        assertClear(Cli.run("serve", "--port", "0", "--tls-cert", text.toString(), "--tls-key", text.toString()),
                "--tls-cert " + text, "PEM");
        Path missing = dir.resolve("missing.pem");
        assertClear(Cli.run("serve", "--port", "0", "--tls-cert", missing.toString(), "--tls-key", text.toString()),
                "--tls-cert " + missing, "no such file");
        Cli.Result mirror = assertClear(Cli.run("mirror", "grpc+tls://127.0.0.1:1/x", "--tls-root", text.toString()),
                "--tls-root " + text, "PEM");
        assertNotNull(mirror);
    }
}

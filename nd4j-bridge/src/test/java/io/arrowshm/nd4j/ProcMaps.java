package io.arrowshm.nd4j;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Whether this process still maps a stream's payload segment, as the kernel sees it. */
final class ProcMaps {
    private ProcMaps() {
    }

    static boolean mapsPayloadOf(String stream) {
        String segment = "/dev/shm/" + payloadSegment(stream);
        try {
            return Files.readAllLines(Path.of("/proc/self/maps")).stream()
                    .anyMatch(line -> line.contains(segment + " ") || line.endsWith(segment));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * pyshmem's payload segment name (spec §1.1): {@code "ps_"} and the first 14 hex digits of
     * the SHA-1 of the UTF-8 name. Written out here because no public API names segments, and
     * the core's own naming class is internal to it.
     */
    private static String payloadSegment(String stream) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest(stream.getBytes(StandardCharsets.UTF_8));
            return "ps_" + HexFormat.of().formatHex(digest).substring(0, 14);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime provides SHA-1", e);
        }
    }
}

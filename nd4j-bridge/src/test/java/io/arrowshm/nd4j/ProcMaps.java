package io.arrowshm.nd4j;

import io.arrowshm.internal.format.StreamNames;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Whether this process still maps a stream's payload segment, as the kernel sees it. */
final class ProcMaps {
    private ProcMaps() {
    }

    static boolean mapsPayloadOf(String stream) {
        String segment = "/dev/shm/" + StreamNames.of(stream).dataSegment();
        try {
            return Files.readAllLines(Path.of("/proc/self/maps")).stream()
                    .anyMatch(line -> line.contains(segment + " ") || line.endsWith(segment));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

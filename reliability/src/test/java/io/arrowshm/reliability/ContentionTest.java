package io.arrowshm.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.CreateOptions;
import io.arrowshm.DType;
import io.arrowshm.SharedMemory;
import io.arrowshm.testing.Names;
import io.arrowshm.testing.PeerProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two Java and two pyshmem writer processes on one stream, with a Java and a pyshmem reader
 * checking every publication they get: no torn frame, counts strictly increasing, no
 * deadlock, every write counted. Short form 4 × 2,000 frames of 256 KiB; long form 10⁶ frames of 8 KiB.
 */
class ContentionTest {
    private static final Duration TIMEOUT = Duration.ofMinutes(Scale.longForm() ? 60 : 5);
    private final String name = Names.unique("contention");

    @AfterEach
    void removeStream() {
        SharedMemory.unlink(name);
    }

    @ParameterizedTest(name = "notify {0}")
    @ValueSource(booleans = {false, true})
    void writersInBothLanguagesNeverTearAFrame(boolean notify) {
        int framesPerWriter = Scale.pick(2_000, 250_000);
        int longs = Scale.longForm() ? 1024 : 32 * 1024;
        try (SharedMemory shm = SharedMemory.create(name, CreateOptions.of(DType.INT64, longs).notify(notify))) {
            List<PeerProcess> readers = List.of(
                    PeerProcess.java(ReliabilityPeer.class, "frames-read", name, "2000"),
                    PeerProcess.python("reliability_peer.py", "frames-read", name));
            List<PeerProcess> writers = new ArrayList<>();
            try {
                for (PeerProcess reader : readers) {
                    reader.await("ready", TIMEOUT);
                }
                for (int w = 1; w <= 2; w++) {
                    writers.add(PeerProcess.java(ReliabilityPeer.class, "frames-loop", name, Integer.toString(w),
                            Integer.toString(framesPerWriter)));
                    writers.add(PeerProcess.python("reliability_peer.py", "frames-loop", name, Integer.toString(w + 2),
                            Integer.toString(framesPerWriter)));
                }
                for (PeerProcess writer : writers) {
                    writer.await("done", TIMEOUT); // a deadlock would stop here
                }
                for (PeerProcess reader : readers) {
                    String stats = reader.finish(TIMEOUT).get(0);
                    assertTrue(stats.matches("reads [1-9][0-9]* torn 0 inconsistent 0 nonincreasing 0"), stats);
                    System.out.println("contention (notify " + notify + "): " + stats);
                }
            } finally {
                writers.forEach(PeerProcess::close);
                readers.forEach(PeerProcess::close);
            }
            assertEquals(4L * framesPerWriter, shm.count(), "every write counted once");
            assertEquals(2 * shm.count(), shm.writeSequence());
        }
    }
}

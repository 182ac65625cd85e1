package io.arrowshm.interop.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.DType;
import io.arrowshm.OpenOptions;
import io.arrowshm.Publication;
import io.arrowshm.SharedMemory;
import io.arrowshm.testing.PeerProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two Java and two pyshmem writer processes write self-checking frames into one stream at
 * once, while a Java reader and a pyshmem reader check every frame they get. No reader may see
 * a mixed frame, and no write may be lost (a lock that did not exclude would lose counts).
 */
class ContentionTest {
    private static final Duration PEER_TIMEOUT = Duration.ofSeconds(120);
    private static final long[] SHAPE = {256, 1024}; // 1 MiB of uint32: a copy long enough to be overlapped
    private static final int FRAMES_PER_WRITER = 300;
    private static final int WRITERS = 4;
    private static final long READ_SECONDS = 90;

    @RegisterExtension
    final TestStreams streams = new TestStreams();

    @Test
    @DisplayName("2 Java + 2 pyshmem writers: no reader in either language sees a mixed frame, no write is lost")
    void noReaderEverSeesAMixedFrame(@TempDir Path dir) throws IOException {
        String name = streams.name("contention");
        Path gate = dir.resolve("go");
        long total = 1 + (long) WRITERS * FRAMES_PER_WRITER;
        try (SharedMemory shm = SharedMemory.create(name, DType.UINT32, SHAPE);
             SharedMemory reader = SharedMemory.open(name, OpenOptions.readOnly())) {
            SelfCheckingFrames frames = new SelfCheckingFrames(Math.toIntExact(shm.size() / 4));
            shm.write(frames.frame(0), 0); // an intact frame before anyone reads: the zero payload is not one

            List<PeerProcess> writers = new ArrayList<>();
            try (PeerProcess pythonReader = PeerProcess.python("pyshmem_peer.py", "read-frames", name,
                    Long.toString(total), Long.toString(READ_SECONDS))) {
                pythonReader.await("ready", PEER_TIMEOUT);
                writers.add(PeerProcess.java(InteropPeer.class, "write-frames", name, "1", frameCount(), gate.toString()));
                writers.add(PeerProcess.java(InteropPeer.class, "write-frames", name, "2", frameCount(), gate.toString()));
                writers.add(PeerProcess.python("pyshmem_peer.py", "write-frames", name, "3", frameCount(), gate.toString()));
                writers.add(PeerProcess.python("pyshmem_peer.py", "write-frames", name, "4", frameCount(), gate.toString()));
                for (PeerProcess writer : writers) {
                    writer.await("ready", PEER_TIMEOUT);
                }
                Files.createFile(gate); // all four start together

                ReadTally java = readUntil(reader, frames, total);
                for (PeerProcess writer : writers) {
                    writer.finish(PEER_TIMEOUT);
                }
                Reply python = Reply.parse(last(pythonReader.finish(PEER_TIMEOUT)));

                assertEquals(0, java.mixed, "mixed frames the Java reader saw, of " + java);
                assertEquals(0, python.getLong("mixed"), "mixed frames the pyshmem reader saw: " + python.line());
                assertTrue(java.verified > 0, "the Java reader checked no frame: " + java);
                assertTrue(python.getLong("verified") > 0, "the pyshmem reader checked no frame: " + python.line());
            } finally {
                writers.forEach(PeerProcess::close);
            }
            assertEquals(total, shm.count(), "every write counted once: the lock excluded all four writers");
            assertEquals(2 * total, shm.writeSequence());
        }
    }

    /** The Java reader: checks every publication until the last write lands. */
    private static ReadTally readUntil(SharedMemory reader, SelfCheckingFrames frames, long total) {
        ReadTally tally = new ReadTally();
        int[] frame = new int[Math.toIntExact(reader.size() / 4)];
        long deadline = System.nanoTime() + Duration.ofSeconds(READ_SECONDS).toNanos();
        long count = 0;
        while (count < total && System.nanoTime() < deadline) {
            try (Publication p = reader.readPublication(Duration.ofSeconds(10))) {
                p.payload().nioBuffer(0, Math.toIntExact(reader.size())).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                        .asIntBuffer().get(frame);
                if (frames.intact(frame, p.frameId())) {
                    tally.verified++;
                    tally.writers.add(SelfCheckingFrames.writerOf(frame[0]));
                } else {
                    tally.mixed++;
                }
                count = p.count();
            }
        }
        return tally;
    }

    private static final class ReadTally {
        long verified;
        long mixed;
        final Set<Integer> writers = new TreeSet<>();

        @Override
        public String toString() {
            return verified + " intact, " + mixed + " mixed, from writers " + writers;
        }
    }

    private static String frameCount() {
        return Integer.toString(FRAMES_PER_WRITER);
    }

    private static String last(List<String> lines) {
        return lines.get(lines.size() - 1);
    }
}

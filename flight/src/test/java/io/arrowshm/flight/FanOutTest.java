package io.arrowshm.flight;

import static io.arrowshm.flight.FlightTesting.eventually;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.arrowshm.DType;
import io.arrowshm.SharedMemory;
import io.arrowshm.testing.Names;
import io.arrowshm.testing.PeerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many pyarrow clients (a process each) on one stream of a server in this JVM, fed by a writer in
 * another: every row a client gets is the frame the writer wrote under its frame id (the client
 * hashes it against the writer's pattern) and its counts say exactly what it skipped; the server
 * copies each publication out of shared memory at most once however many clients send it; the
 * frame memory stays under what admission reserved for the calls, also while a client has stopped
 * reading; and after a hundred calls cancelled or dropped mid-stream the server holds no memory and
 * its allocators close without a leak.
 */
class FanOutTest {
    private static final Duration PEER = Duration.ofSeconds(180);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void sixteenClientsOnOneStreamGetWhatWasWrittenFromOneSnapshotPerPublication(@TempDir Path dir) throws Exception {
        int clients = 16;
        int rows = 40;
        String name = Names.unique("fan16");
        Path go = dir.resolve("go");
        ServeOptions options = ServeOptions.defaults().port(0);
        try (StreamFlightServer server = StreamFlightServer.start(options);
             SharedMemory shm = SharedMemory.create(name, DType.FLOAT32, 128, 256);   // 128 KiB frames
             PeerProcess writer = PeerProcess.java(FlightPeer.class, "write-paced", name, "25", "1000000")) {
            writer.await("writing", PEER);
            String uri = "grpc://127.0.0.1:" + server.port();
            List<PeerProcess> readers = new ArrayList<>();
            try {
                for (int i = 0; i < clients; i++) {
                    readers.add(PeerProcess.python("flight_peer.py", "check-get", uri, name,
                            Long.toString(shm.size()), Integer.toString(rows), go.toString()));
                }
                for (PeerProcess reader : readers) {
                    reader.await("reading", PEER);
                }
                eventually(PEER, "every client is served", () -> server.stats().clients() == clients);
                try (MemorySampler memory = new MemorySampler(server)) {
                    FlightServerStats before = server.stats();
                    long publishedBefore = shm.count();
                    Files.createFile(go);
                    for (PeerProcess reader : readers) {
                        JsonNode summary = JSON.readTree(reader.nextLine(PEER));
                        assertEquals(rows + 1, summary.get("rows").asInt(), summary::toString);
                        assertEquals(0, summary.get("bad_content").asInt(), "rows unlike the frame written: " + summary);
                        assertEquals(0, summary.get("bad_order").asInt(), "counts and missed disagree: " + summary);
                    }
                    FlightServerStats after = server.stats();
                    long published = shm.count() - publishedBefore;
                    long copies = after.snapshotsMade() - before.snapshotsMade();
                    long sent = after.framesSent() - before.framesSent();
                    System.out.println("16 clients: " + sent + " rows sent from " + copies + " snapshots of "
                            + published + " publications; at most " + memory.mostSnapshots() + " snapshots and "
                            + memory.mostFrameBytes() + " frame bytes held");
                    // Two more than published: the stats and the count are read a moment apart.
                    assertTrue(copies <= published + 2, "at most one copy per publication, however many clients: "
                            + copies + " copies of " + published + " publications");
                    assertTrue(sent >= (long) clients * rows / 2, "the clients were sent their rows: " + sent);
                    assertTrue(sent > 2 * copies, "a snapshot is sent to many clients: " + sent + " rows from "
                            + copies + " snapshots");
                    assertBounded(options, shm.size(), clients, memory);
                }
            } finally {
                readers.forEach(PeerProcess::close);
            }
        } finally {
            SharedMemory.unlink(name);
        }
    }

    @Test
    void aClientThatStopsReadingHoldsOnlyItsQueueAndTheOthersKeepUp(@TempDir Path dir) throws Exception {
        int others = 4;
        int rows = 50;
        String name = Names.unique("stall");
        Path go = dir.resolve("go");
        Path resume = dir.resolve("resume");
        ServeOptions options = ServeOptions.defaults().port(0);
        try (StreamFlightServer server = StreamFlightServer.start(options);
             SharedMemory shm = SharedMemory.create(name, DType.FLOAT32, 256, 256);   // 256 KiB frames
             PeerProcess writer = PeerProcess.java(FlightPeer.class, "write-paced", name, "50", "1000000")) {
            writer.await("writing", PEER);
            String uri = "grpc://127.0.0.1:" + server.port();
            String size = Long.toString(shm.size());
            List<PeerProcess> readers = new ArrayList<>();
            try (PeerProcess stalled = PeerProcess.python("flight_peer.py", "check-get", uri, name, size, "60",
                    resume.toString())) {
                stalled.await("reading", PEER);  // and then reads nothing until the resume file is there
                for (int i = 0; i < others; i++) {
                    readers.add(PeerProcess.python("flight_peer.py", "check-get", uri, name, size,
                            Integer.toString(rows), go.toString()));
                }
                for (PeerProcess reader : readers) {
                    reader.await("reading", PEER);
                }
                try (MemorySampler memory = new MemorySampler(server)) {
                    long publishedBefore = shm.count();
                    Files.createFile(go);
                    for (PeerProcess reader : readers) {
                        JsonNode summary = JSON.readTree(reader.nextLine(PEER));
                        assertEquals(0, summary.get("bad_content").asInt(), "rows unlike the frame written: " + summary);
                        assertEquals(0, summary.get("bad_order").asInt(), "counts and missed disagree: " + summary);
                        // The stated share: beside a client that reads nothing, each of the others
                        // still gets at least half of the publications made while it reads.
                        double got = summary.get("rows").asDouble() / (summary.get("rows").asDouble()
                                + summary.get("missed").asDouble());
                        assertTrue(got >= 0.5, "a reader beside a stalled one got " + got + " of the publications: "
                                + summary);
                    }
                    // The stalled client has now missed every publication since its queue filled;
                    // the writer goes on a while longer, so that memory growing with them would show.
                    long target = shm.count() + 100;
                    eventually(PEER, "100 more publications", () -> shm.count() >= target);
                    long published = shm.count() - publishedBefore;
                    System.out.println("a stalled client beside " + others + " others, " + published
                            + " publications: at most " + memory.mostFrameBytes() + " frame bytes, "
                            + memory.mostSnapshots() + " snapshots held");
                    assertBounded(options, shm.size(), others + 1, memory);
                }
                Files.createFile(resume);
                JsonNode resumed = JSON.readTree(stalled.nextLine(PEER));
                assertEquals(61, resumed.get("rows").asInt(), resumed::toString);
                assertEquals(0, resumed.get("bad_content").asInt(), "rows unlike the frame written: " + resumed);
                assertEquals(0, resumed.get("bad_order").asInt(), "counts and missed disagree: " + resumed);
                assertTrue(resumed.get("missed").asLong() >= 100, "the stalled client skipped to the latest "
                        + "rather than being sent a backlog: " + resumed);
            } finally {
                readers.forEach(PeerProcess::close);
            }
        } finally {
            SharedMemory.unlink(name);
        }
    }

    @Test
    void aHundredCallsCancelledMidStreamLeaveNoMemoryAndNoDoubleRelease() throws Exception {
        String name = Names.unique("cancel100");
        StreamFlightServer server = StreamFlightServer.start(ServeOptions.defaults().port(0));
        try (WarningCapture warnings = new WarningCapture();
             SharedMemory shm = SharedMemory.create(name, DType.FLOAT32, 256, 1024);   // 1 MiB frames
             PeerProcess writer = PeerProcess.java(FlightPeer.class, "write-paced", name, "200", "1000000")) {
            writer.await("writing", PEER);
            // 4 calls at a time, each cancelled (one in five dropped without a cancel) after 0 to 3
            // rows, so that rows are queued in gRPC, and written from snapshot memory, when it ends.
            List<String> out = PyarrowFlightTest.python("cancel-gets", "grpc://127.0.0.1:" + server.port(), name,
                    Long.toString(shm.size()), "100", "4");
            JsonNode summary = JSON.readTree(out.get(out.size() - 1));
            assertEquals(0, summary.get("errors").size(), summary::toString);
            assertTrue(summary.get("rows").asInt() >= 100, "the calls got rows before they ended: " + summary);
            assertEquals(0, summary.get("bad_content").asInt(), "rows unlike the frame written: " + summary);
            assertEquals(0, summary.get("bad_order").asInt(), "counts and missed disagree: " + summary);
            eventually(PEER, "every call ends", () -> server.stats().clients() == 0);
            eventually(Duration.ofSeconds(30), "every row and snapshot is given back", () -> server.stats().frameBytes() == 0
                    && server.stats().snapshots() == 0 && server.stats().bufferedBytes() == 0);
            // The allocators' own leak check: closing one that still has memory out throws.
            assertDoesNotThrow(server::close);
            assertTrue(warnings.isEmpty(), () -> "warnings: " + warnings.describe());
        } finally {
            server.close();
            SharedMemory.unlink(name);
        }
    }

    /** What admission reserved for {@code calls} calls on one stream of {@code frame}-byte frames bounds the memory. */
    private static void assertBounded(ServeOptions options, long frame, int calls, MemorySampler memory) {
        try (RootAllocator scratch = new RootAllocator()) {
            SendBudget budget = new SendBudget(options.maxSendBytes(), options.clientQueueBytes(), scratch);
            long bytes = budget.streamShare(frame) + calls * budget.callShare(frame);
            long snapshots = 2 + calls * budget.rowsPerCall(frame);
            assertTrue(memory.mostFrameBytes() <= bytes, "frame memory " + memory.mostFrameBytes()
                    + " stays within what " + calls + " calls reserved: " + bytes);
            assertTrue(memory.mostFrameBytes() <= options.maxSendBytes(), "within --max-send-bytes");
            assertTrue(memory.mostSnapshots() <= snapshots, "snapshots held " + memory.mostSnapshots()
                    + " at most the stream's two and the rows the clients' queues hold: " + snapshots);
        }
    }

    /** The most frame memory and snapshots the server held, sampled every 2 ms while open. */
    private static final class MemorySampler implements AutoCloseable {
        private final AtomicLong frameBytes = new AtomicLong();
        private final AtomicLong snapshots = new AtomicLong();
        private final Thread thread;

        MemorySampler(StreamFlightServer server) {
            thread = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    FlightServerStats now = server.stats();
                    frameBytes.accumulateAndGet(now.frameBytes(), Math::max);
                    snapshots.accumulateAndGet(now.snapshots(), Math::max);
                    try {
                        Thread.sleep(2);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "memory-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        long mostFrameBytes() {
            return frameBytes.get();
        }

        long mostSnapshots() {
            return snapshots.get();
        }

        @Override
        public void close() throws InterruptedException {
            thread.interrupt();
            thread.join();
        }
    }
}

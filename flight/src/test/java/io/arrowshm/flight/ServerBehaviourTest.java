package io.arrowshm.flight;

import static io.arrowshm.flight.FlightTesting.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.arrowshm.DType;
import io.arrowshm.SharedMemory;
import io.arrowshm.tensors.FixedShapeTensorType;
import io.arrowshm.tensors.FixedShapeTensorVector;
import io.arrowshm.tensors.RecordingSchema;
import io.arrowshm.tensors.StreamRoots;
import io.arrowshm.tensors.TensorSnapshot;
import io.arrowshm.testing.Names;
import io.arrowshm.testing.Patterns;
import io.arrowshm.testing.PeerProcess;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.arrow.flight.AsyncPutListener;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightClient.ClientStreamListener;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;

/**
 * A Java Flight client against a server in another JVM; and the server's lifecycle against
 * pyarrow clients: cancel mid-stream, close while a DoGet waits, a stream unlinked while served,
 * a slow client beside a 200 frames/s writer, a frame of tens of MiB.
 */
class ServerBehaviourTest {
    private static final Duration PEER = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void javaClientListsGetsAndPutsAgainstAServerInAnotherJvm() throws Exception {
        String name = Names.unique("java-get");
        String target = Names.unique("java-put");
        int port = FlightTesting.freePort();
        try (SharedMemory shm = SharedMemory.create(name, DType.INT32, 3, 5);
             PeerProcess server = PeerProcess.java(FlightPeer.class, "serve", Integer.toString(port));
             BufferAllocator allocator = new RootAllocator()) {
            shm.write(Patterns.bytes(DType.INT32, shm.size(), 9), 77L);
            server.await("serving " + port, PEER);
            FixedShapeTensorType.ensureRegistered();   // so the client reads the tensor column as its extension type
            try (FlightClient client = FlightClient.builder(allocator, Location.forGrpcInsecure("127.0.0.1", port)).build()) {
                List<String> listed = new ArrayList<>();
                for (FlightInfo info : client.listFlights(org.apache.arrow.flight.Criteria.ALL)) {
                    listed.add(info.getDescriptor().getPath().get(0));
                }
                assertTrue(listed.contains(name), listed::toString);
                FlightInfo info = client.getInfo(FlightDescriptor.path(name));
                assertEquals("int32", info.getSchema().getCustomMetadata().get(RecordingSchema.META_DTYPE));
                assertEquals("[3,5]", info.getSchema().getCustomMetadata().get(RecordingSchema.META_SHAPE));

                try (FlightStream stream = client.getStream(new Ticket(name.getBytes(StandardCharsets.UTF_8)))) {
                    assertTrue(stream.next());
                    FixedShapeTensorVector tensor = (FixedShapeTensorVector) stream.getRoot().getVector("tensor");
                    byte[] bytes = new byte[60];
                    tensor.values().getDataBuffer().getBytes(0, bytes);
                    assertEquals(Patterns.sha256(Patterns.bytes(DType.INT32, 60, 9)), Patterns.sha256(bytes));
                    assertEquals(77L, stream.getRoot().getVector("frame_id").getObject(0));
                    stream.cancel("done", null);
                }

                // Put: the snapshot of one stream, published by the server into another, new one.
                try (TensorSnapshot snapshot = StreamRoots.snapshot(shm, allocator)) {
                    ClientStreamListener put = client.startPut(FlightDescriptor.path(target), snapshot.root(),
                            new AsyncPutListener());
                    put.putNext();
                    put.completed();
                    put.getResult();
                }
                try (SharedMemory copy = SharedMemory.open(target)) {
                    byte[] bytes = new byte[60];
                    copy.readInto(bytes);
                    assertEquals(Patterns.sha256(Patterns.bytes(DType.INT32, 60, 9)), Patterns.sha256(bytes));
                    assertEquals(77L, copy.frameId());
                }
            }
        } finally {
            SharedMemory.unlink(name);
            SharedMemory.unlink(target);
        }
    }

    @Test
    void closingTheServerEndsAWaitingDoGetPromptly() throws Exception {
        String name = Names.unique("close");
        try (SharedMemory shm = SharedMemory.create(name, DType.UINT8, 8)) {
            shm.write(new byte[8]);
            StreamFlightServer server = StreamFlightServer.start(ServeOptions.defaults().port(0));
            try (PeerProcess client = PeerProcess.python("flight_peer.py", "get-until-end",
                    "grpc://127.0.0.1:" + server.port(), name)) {
                client.await("row 1", PEER);
                eventually(PEER, "the call is served", () -> server.stats().clients() == 1);
                long start = System.nanoTime();
                server.close();
                long closeMillis = (System.nanoTime() - start) / 1_000_000;
                String last = client.nextLine(PEER);
                assertTrue(last.startsWith("error") && last.contains("shutting down"), last);
                assertTrue(closeMillis < 5_000, "close took " + closeMillis + " ms");
            }
        } finally {
            SharedMemory.unlink(name);
        }
    }

    @Test
    void cancelledAndUnlinkedCallsEnd() throws Exception {
        String cancelled = Names.unique("cancel");
        String unlinked = Names.unique("unlinked");
        try (StreamFlightServer server = StreamFlightServer.start(ServeOptions.defaults().port(0));
             SharedMemory a = SharedMemory.create(cancelled, DType.FLOAT64, 64);
             SharedMemory b = SharedMemory.create(unlinked, DType.FLOAT64, 64)) {
            String uri = "grpc://127.0.0.1:" + server.port();
            a.write(new double[64]);
            b.write(new double[64]);
            // The client cancels after 3 rows: the server's sender ends and gives its memory back.
            try (PeerProcess writer = PeerProcess.java(FlightPeer.class, "write-paced", cancelled, "200", "100000");
                 PeerProcess client = PeerProcess.python("flight_peer.py", "get", uri, cancelled, "3")) {
                writer.await("writing", PEER);
                assertEquals("end", client.finish(PEER).get(3));
                eventually(PEER, "the cancelled call ends", () -> server.stats().clients() == 0);
                eventually(PEER, "its memory is given back", () -> server.stats().bufferedBytes() == 0);
            }
            try (PeerProcess client = PeerProcess.python("flight_peer.py", "get-until-end", uri, unlinked)) {
                client.await("row 1", PEER);
                SharedMemory.unlink(unlinked);
                assertEquals("end 1", client.nextLine(PEER), "the stream went away: the call ends");
            }
            eventually(PEER, "no call left", () -> server.stats().clients() == 0);
        } finally {
            SharedMemory.unlink(cancelled);
            SharedMemory.unlink(unlinked);
        }
    }

    @Test
    void aSlowClientSkipsToTheLatestAndNeitherSlowsTheWriterNorGrowsTheServer() throws Exception {
        String name = Names.unique("slow");
        try (StreamFlightServer server = StreamFlightServer.start(ServeOptions.defaults().port(0));
             SharedMemory shm = SharedMemory.create(name, DType.FLOAT32, 256, 1024)) {  // 1 MiB frames
            try (PeerProcess writer = PeerProcess.java(FlightPeer.class, "write-paced", name, "200", "600");
                 PeerProcess client = PeerProcess.python("flight_peer.py", "slow-get",
                         "grpc://127.0.0.1:" + server.port(), name, "20", "0.1")) {
                writer.await("writing", PEER);
                client.await("reading", PEER);
                AtomicLong mostBuffered = new AtomicLong();
                Thread sampler = new Thread(() -> {
                    while (!Thread.currentThread().isInterrupted()) {
                        mostBuffered.accumulateAndGet(server.stats().bufferedBytes(), Math::max);
                        try {
                            Thread.sleep(5);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                });
                sampler.start();
                JsonNode summary = JSON.readTree(client.nextLine(PEER));
                String[] done = writer.finish(PEER).get(0).split(" ");
                sampler.interrupt();
                sampler.join();
                assertEquals(20, summary.get("rows").asInt());
                assertTrue(summary.get("missed").asLong() > 0, "the slow client skipped publications: " + summary);
                JsonNode counts = summary.get("counts");
                long first = counts.get(0).asLong();
                long last = counts.get(counts.size() - 1).asLong();
                assertTrue(last - first > counts.size() - 1, "the client skipped to newer publications: " + counts);
                assertEquals(last - first - (counts.size() - 1), summary.get("missed").asLong(),
                        "missed counts exactly the publications skipped between rows: " + summary);
                // The writer publishes 600 frames at 200/s whatever the client does (it never waits
                // on the server: readers take no lock). Its achieved rate is printed for the log.
                assertEquals("done", done[0]);
                System.out.println("writer beside a slow Flight client: " + done[1] + " frames/s, slowest write "
                        + done[2] + " ms; server held at most " + mostBuffered.get() + " bytes");
                assertTrue(mostBuffered.get() <= 4L * shm.size(), "the server buffers at most a few frames: "
                        + mostBuffered.get());
            }
        } finally {
            SharedMemory.unlink(name);
        }
    }

    @Test
    void aFrameOfTensOfMegabytesGoesThroughInOneMessage() throws Exception {
        String name = Names.unique("huge");
        try (StreamFlightServer server = StreamFlightServer.start(ServeOptions.defaults().port(0));
             SharedMemory shm = SharedMemory.create(name, DType.UINT8, 48, 1024, 1024)) {   // 48 MiB
            shm.write(Patterns.bytes(DType.UINT8, shm.size(), 4), 3L);
            List<String> out = PyarrowFlightTest.python("get-all", "grpc://127.0.0.1:" + server.port(),
                    "{\"stream\": \"" + name + "\", \"mode\": \"latest\"}");
            JsonNode row = JSON.readTree(out.get(0));
            assertEquals(Patterns.sha256(Patterns.bytes(DType.UINT8, shm.size(), 4)), row.get("sha").asText());
            assertEquals("[48,1024,1024]", row.get("shape").toString());
        } finally {
            SharedMemory.unlink(name);
        }
    }
}

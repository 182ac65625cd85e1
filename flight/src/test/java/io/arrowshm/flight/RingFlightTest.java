package io.arrowshm.flight;

import static io.arrowshm.flight.FlightTesting.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.arrowshm.DType;
import io.arrowshm.Overflow;
import io.arrowshm.Ring;
import io.arrowshm.RingOptions;
import io.arrowshm.testing.Names;
import io.arrowshm.testing.PeerProcess;
import io.arrowshm.testing.RingPeer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rings over Flight, every role a process of its own: a writer JVM, the server in another JVM, and
 * pyarrow clients that check each frame's content and position. A slow client gets every frame and
 * holds the BLOCK writer back while the server's memory stays under its bound; a slow client of an
 * OVERWRITE ring is told exactly what it lost; a client killed mid-stream resumes exactly with
 * {@code "after"}; cursor errors; a ring described by ListFlights, GetFlightInfo and DoAction.
 */
class RingFlightTest {
    static final Duration PEER = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aSlowClientGetsEveryFrameInOrderHoldsTheWriterBackAndTheServerStaysUnderItsBound(@TempDir Path dir)
            throws Exception {
        String name = Names.unique("ring-slow");
        int port = FlightTesting.freePort();
        long memory = 1 << 20; // 1 MiB per client: batches of 7 frames of 64 KiB
        Path peak = dir.resolve("peak");
        try (Ring ring = Ring.create(name, RingOptions.of(DType.UINT8, 65536).capacity(16));
             PeerProcess server = PeerProcess.java(FlightPeer.class, "serve-rings", Integer.toString(port),
                     Long.toString(4 * 65536), Long.toString(memory), "30000", peak.toString())) {
            server.await("serving " + port, PEER);
            try (PeerProcess client = PeerProcess.python("flight_peer.py", "ring-get", uri(port), name, "rows=3000",
                    "pause=0.002", "start=0", "pause_at=1000", "pause_for=4")) {
                client.await("reading", PEER);
                eventually(PEER, "the client's cursor is attached", () -> !ring.cursors().isEmpty());
                try (PeerProcess writer = PeerProcess.java(RingPeer.class, "write", name, "3000", "0")) {
                    int pausedAt = Integer.parseInt(linePrefixed(client, "paused ").substring(7));
                    Thread.sleep(1500); // what gRPC and the sockets buffer fills up first
                    long before = ring.writePosition();
                    Thread.sleep(1500);
                    long after = ring.writePosition();
                    assertEquals(before, after, "the writer waits while the client pauses");
                    assertTrue(after < 3000, "the writer cannot finish ahead of the client: " + after);
                    System.out.println("BLOCK writer held " + (after - pausedAt) + " frames ahead of a paused client"
                            + " (16 in the ring, 4 in the window, the rest in flight)");
                    JsonNode facts = tally(client);
                    assertEquals(3000, facts.get("rows").asInt(), facts::toString);
                    assertEquals(0, facts.get("first").asLong());
                    assertEquals(2999, facts.get("last").asLong());
                    for (String zero : new String[] {"gaps", "backwards", "lost", "lost_mismatch", "bad", "bad_ids"}) {
                        assertEquals(0, facts.get(zero).asLong(), zero + ": " + facts);
                    }
                    assertTrue(writer.finish(PEER).get(1).startsWith("wrote 3000"));
                }
            }
            long most = Long.parseLong(Files.readString(peak).strip());
            System.out.println("server Arrow memory at most " + most + " bytes for a bound of " + memory);
            assertTrue(most > 0 && most <= memory, "the server held " + most + " bytes; the bound is " + memory);
            eventually(PEER, "the fresh cursor is dropped when the call ends", () -> ring.cursors().isEmpty());
        } finally {
            Ring.unlink(name);
        }
    }

    @Test
    void aSlowClientOfAnOverwriteRingIsToldExactlyWhatItLost() throws Exception {
        String name = Names.unique("ring-over");
        int port = FlightTesting.freePort();
        try (Ring ring = Ring.create(name, RingOptions.of(DType.UINT8, 16384).capacity(8).overflow(Overflow.OVERWRITE));
             PeerProcess server = PeerProcess.java(FlightPeer.class, "serve", Integer.toString(port))) {
            server.await("serving " + port, PEER);
            try (PeerProcess client = PeerProcess.python("flight_peer.py", "ring-get", uri(port), name, "until=4999",
                    "pause=0.01", "start=0")) {
                client.await("reading", PEER);
                eventually(PEER, "the client's cursor is attached", () -> !ring.cursors().isEmpty());
                try (PeerProcess writer = PeerProcess.java(RingPeer.class, "write", name, "5000", "0")) {
                    writer.finish(PEER);
                }
                JsonNode facts = tally(client);
                assertEquals(4999, facts.get("last").asLong(), facts::toString);
                assertTrue(facts.get("lost").asLong() > 0, "a slow client of a fast OVERWRITE ring loses frames");
                assertEquals(5000, facts.get("rows").asLong() + facts.get("lost").asLong(),
                        "every position was received or counted lost: " + facts);
                assertEquals(0, facts.get("lost_mismatch").asLong(), "each row's lost is the gap before it");
                assertEquals(0, facts.get("bad").asLong(), "no torn or overwritten frame was sent");
                assertEquals(0, facts.get("backwards").asLong());
            }
        } finally {
            Ring.unlink(name);
        }
    }

    @Test
    void aClientKilledMidStreamResumesExactlyAfterTheLastPositionItGot() throws Exception {
        String name = Names.unique("ring-resume");
        int port = FlightTesting.freePort();
        String ticket = "{\"stream\": \"" + name + "\", \"cursor\": \"trainer\"}";
        // pyarrow's gRPC grows its receive window to tens of MB here: the default 64 MiB window covers what it
        // holds in flight when it dies, and a ring of twice that keeps the whole window.
        try (Ring ring = Ring.create(name, RingOptions.of(DType.UINT8, 65536).capacity(2048));
             PeerProcess server = PeerProcess.java(FlightPeer.class, "serve-rings", Integer.toString(port),
                     Long.toString(RingServeOptions.DEFAULT_WINDOW), Long.toString(64L << 20), "30000")) {
            server.await("serving " + port, PEER);
            long last;
            try (PeerProcess client = PeerProcess.python("flight_peer.py", "ring-get", uri(port), ticket, "start=0",
                    "die_after=700", "pause=0.001")) {
                client.await("reading", PEER);
                eventually(PEER, "the client's cursor is attached", () -> ring.cursors().size() == 2);
                try (PeerProcess writer = PeerProcess.java(RingPeer.class, "write", name, "4000", "0")) {
                    last = Long.parseLong(linePrefixed(client, "dying ").substring(6));
                    assertTrue(last >= 699 && last < 3000, "it got 700 rows first: " + last);
                    // The client is gone with frames in flight; the writer keeps room ahead of the server's cursor.
                    String resume = "{\"stream\": \"" + name + "\", \"cursor\": \"trainer\", \"after\": " + last + "}";
                    try (PeerProcess again = PeerProcess.python("flight_peer.py", "ring-get", uri(port), resume,
                            "start=" + (last + 1), "until=3999")) {
                        JsonNode facts = tally(again);
                        assertEquals(last + 1, facts.get("first").asLong(), "it resumes right after " + last + ": " + facts);
                        assertEquals(3999, facts.get("last").asLong());
                        assertEquals(3999 - last, facts.get("rows").asLong(), "no gap, no duplicate");
                        for (String zero : new String[] {"gaps", "backwards", "lost", "bad", "bad_ids"}) {
                            assertEquals(0, facts.get(zero).asLong(), zero + ": " + facts);
                        }
                    }
                    writer.finish(PEER);
                }
            }
            // The server ends the call once it sees the client's cancel: then its read-ahead cursor is dropped.
            eventually(PEER, "the server's own cursors are gone", () -> ring.cursors().stream()
                    .noneMatch(c -> c.name().startsWith(RingFeed.OWN_PREFIX)));
            assertTrue(ring.cursors().stream().anyMatch(c -> c.name().equals("trainer")), "the named cursor stays");
        } finally {
            Ring.unlink(name);
        }
    }

    @Test
    void cursorErrorsAreFlightStatusesAndTheRingIsDescribed() throws Exception {
        String name = Names.unique("ring-desc");
        int port = FlightTesting.freePort();
        try (Ring ring = Ring.create(name, RingOptions.of(DType.FLOAT32, 4, 8).capacity(32).overflow(Overflow.OVERWRITE));
             PeerProcess server = PeerProcess.java(FlightPeer.class, "serve", Integer.toString(port))) {
            server.await("serving " + port, PEER);
            try (PeerProcess writer = PeerProcess.java(RingPeer.class, "write", name, "10", "0")) {
                writer.finish(PEER);
            }
            String held = "{\"stream\": \"" + name + "\", \"cursor\": \"one\"}";
            try (PeerProcess first = PeerProcess.python("flight_peer.py", "ring-get", uri(port), held, "pause=0.2")) {
                first.await("reading", PEER);
                eventually(PEER, "the first client holds 'one'", () -> ring.cursors().stream()
                        .anyMatch(c -> c.name().equals("one") && c.live()));
                assertTrue(get(port, held).matches("error .*cursor 'one' of ring .* in use.*"), get(port, held));
            }
            assertTrue(get(port, "{\"stream\": \"" + name + "\", \"cursor\": \"two\", \"after\": 10}")
                    .contains("never held position 10"));
            assertTrue(get(port, "{\"stream\": \"" + name + "\", \"cursor\": \"" + "x".repeat(65) + "\"}")
                    .contains("at most 64"));
            assertTrue(get(port, "{\"stream\": \"" + name + "\", \"cursor\": 3}").contains("must be a cursor name"));
            assertTrue(get(port, "{\"stream\": \"" + name + "\", \"after\": -1}").contains("must be a ring position"));

            JsonNode info = JSON.readTree(PeerProcess.python("flight_peer.py", "ring-info", uri(port), name)
                    .nextLine(PEER));
            assertEquals("[\"tensor\",\"position\",\"frame_id\",\"write_time\",\"lost\"]", info.get("names").toString());
            assertEquals("uint64", info.get("types").get(1).asText());
            assertEquals("ring", info.get("metadata").get("arrow_shm.kind").asText());
            assertEquals("32", info.get("metadata").get("arrow_shm.ring.capacity").asText());
            assertEquals("overwrite", info.get("metadata").get("arrow_shm.ring.overflow").asText());
            assertEquals("[4,8]", info.get("metadata").get("arrow_shm.shape").asText());
            assertTrue(info.get("ordered").asBoolean());
            assertEquals(10, info.get("records").asLong(), "the frames the ring holds");
            JsonNode app = info.get("app");
            assertEquals(10, app.get("write_position").asLong());
            assertEquals(32, app.get("capacity").asLong());
            assertTrue(app.get("cursors").toString().contains("\"name\":\"one\""), app::toString);

            JsonNode stat = JSON.readTree(PeerProcess.python("flight_peer.py", "action", uri(port), "stat", name)
                    .nextLine(PEER));
            assertEquals("ring", stat.get("kind").asText());
            assertEquals("overwrite", stat.get("overflow").asText());
            boolean listed = false;
            try (PeerProcess list = PeerProcess.python("flight_peer.py", "list", uri(port))) {
                for (String line = list.nextLine(PEER); !line.equals("end"); line = list.nextLine(PEER)) {
                    JsonNode flight = JSON.readTree(line);
                    if (flight.get("path").get(0).asText().equals(name)) {
                        listed = true;
                        assertEquals("float32", flight.get("dtype").asText());
                        assertEquals(name, flight.get("ticket").asText());
                    }
                }
            }
            assertTrue(listed, "ListFlights lists the ring");
        } finally {
            Ring.unlink(name);
        }
    }

    static String uri(int port) {
        return "grpc://127.0.0.1:" + port;
    }

    /** Reads lines until one starts with {@code prefix}. */
    static String linePrefixed(PeerProcess peer, String prefix) {
        for (String line = peer.nextLine(PEER); ; line = peer.nextLine(PEER)) {
            if (line.startsWith(prefix)) {
                return line;
            }
        }
    }

    /** The JSON tally a ring-get client prints last. */
    static JsonNode tally(PeerProcess client) throws Exception {
        return JSON.readTree(linePrefixed(client, "{"));
    }

    /** One DoGet that should fail: "error TYPE message". */
    private static String get(int port, String ticket) {
        try (PeerProcess client = PeerProcess.python("flight_peer.py", "get-until-end", uri(port), ticket)) {
            return client.nextLine(PEER);
        }
    }
}

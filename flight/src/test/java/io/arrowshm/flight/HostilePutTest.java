package io.arrowshm.flight;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.Publication;
import io.arrowshm.SharedMemory;
import io.arrowshm.tensors.testing.ResidentMemory;
import io.arrowshm.tensors.testing.TestStreams;
import io.arrowshm.testing.Names;
import io.arrowshm.testing.PeerProcess;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code DoPut}s that lie, from pyarrow.flight clients, against a server in a JVM of its own
 * (defects 2 and 3 of the edge-hardening issue): the server's peak resident memory (VmHWM) stays
 * within 256 MiB of its idle size, the put is refused, and no stream is created or changed.
 * Before the fixes: a 600-byte put claiming 2^22 rows made Arrow Java's loader grow every vector
 * to that count (gigabytes) and rows of zeros nobody sent were published; a put that sends only a
 * schema created a persistent, fully allocated stream of whatever shape it declared.
 */
class HostilePutTest {
    private static final Duration PEER = Duration.ofSeconds(120);
    private static PeerProcess server;
    private static String uri;
    private static long idle;
    private final TestStreams streams = new TestStreams();

    @BeforeAll
    static void startServer() {
        int port = FlightTesting.freePort();
        server = PeerProcess.java(FlightPeer.class, "serve", Integer.toString(port));
        server.await("serving " + port, PEER);
        uri = "grpc://127.0.0.1:" + port;
        // Idle, but warm: one honest put has loaded every class and pool a put uses.
        String warm = Names.unique("put-warm");
        try {
            assertTrue(PyarrowFlightTest.python("put", uri, warm, "float32", "4", "4", "4").get(0).startsWith("put "));
        } finally {
            SharedMemory.unlink(warm);
        }
        idle = ResidentMemory.of(server.pid()).rssBytes();
    }

    @AfterAll
    static void stopServer() {
        System.out.println("server after the hostile puts: " + ResidentMemory.of(server.pid()) + ", idle "
                + (idle >> 20) + " MiB");
        server.close();
    }

    @AfterEach
    void unlink() {
        streams.unlinkAll();
    }

    private static void assertServerMemoryBounded(String what) {
        ResidentMemory.Sample now = ResidentMemory.of(server.pid());
        long above = now.peakBytes() - idle;
        System.out.println(what + ": server " + now + ", " + (above >> 20) + " MiB above idle");
        assertTrue(above < ResidentMemory.BOUND_ABOVE_IDLE, what + ": the server's peak is " + (above >> 20)
                + " MiB above its idle " + (idle >> 20) + " MiB");
    }

    @Test
    void aRowCountBombIntoANewNameIsRefusedAndCreatesNothing() {
        String target = streams.name("put-bomb");
        String outcome = PyarrowFlightTest.python("put-row-bomb", uri, target, Integer.toString(1 << 22)).get(0);
        assertServerMemoryBounded("a put of 4 rows claiming 2^22");
        assertTrue(outcome.startsWith("error ArrowInvalid") && outcome.contains("4194304"),
                "refused as INVALID_ARGUMENT, saying what it claimed: " + outcome);
        assertFalse(SharedMemory.listStreams().contains(target), "no stream was created: " + outcome);
    }

    @Test
    void aRowCountBombIntoAnExistingStreamLeavesItUntouched() {
        String target = streams.name("put-bomb-existing");
        PyarrowFlightTest.python("pyshmem-create", target, "float32", "5", "4", "4");
        byte[] before = payload(target);
        String outcome = PyarrowFlightTest.python("put-row-bomb", uri, target, Integer.toString(1 << 22)).get(0);
        assertServerMemoryBounded("a put of 4 rows claiming 2^22 into an existing stream");
        assertTrue(outcome.startsWith("error ArrowInvalid"), outcome);
        try (SharedMemory shm = SharedMemory.open(target)) {
            assertEquals(1, shm.count(), "nothing was published: " + outcome);
            assertEquals(5, shm.frameId());
        }
        assertArrayEquals(before, payload(target));
    }

    @Test
    void aPutThatSendsOnlyASchemaCreatesNothing() {
        String target = streams.name("put-schema-only");
        String outcome = PyarrowFlightTest.python("put-schema-only", uri, target, "float32", "64", "64").get(0);
        assertEquals("put", outcome, "nothing to publish is not an error");
        assertFalse(SharedMemory.listStreams().contains(target), "a put with no row created a stream");
    }

    @Test
    void aSchemaOnlyPutOfAHugeShapeIsRefusedAndCreatesNothing() {
        String target = streams.name("put-huge-schema");
        // float32 [16384, 16384]: 1 GiB frames, over the server's default limit (and its /dev/shm, repeated).
        String outcome = PyarrowFlightTest.python("put-schema-only", uri, target, "float32", "16384", "16384").get(0);
        assertFalse(SharedMemory.listStreams().contains(target), "a 1 GiB stream was created: " + outcome);
        assertTrue(outcome.startsWith("error") && outcome.contains("--max-frame-bytes"),
                "refused, naming the limit: " + outcome);
        assertServerMemoryBounded("a schema-only put of 1 GiB frames");
    }

    private static byte[] payload(String name) {
        try (SharedMemory shm = SharedMemory.open(name); Publication p = shm.readPublication()) {
            byte[] bytes = new byte[Math.toIntExact(shm.size())];
            p.payload().getBytes(0, bytes);
            return bytes;
        }
    }
}

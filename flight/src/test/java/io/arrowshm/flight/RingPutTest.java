package io.arrowshm.flight;

import static io.arrowshm.flight.FlightTesting.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.CursorInfo;
import io.arrowshm.DType;
import io.arrowshm.Ring;
import io.arrowshm.RingOptions;
import io.arrowshm.testing.Names;
import io.arrowshm.testing.PeerProcess;
import io.arrowshm.testing.RingPeer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * DoPut into a ring from pyarrow, with the server in another JVM and a reader JVM on the ring: a
 * full BLOCK ring holds the client back and loses nothing; a bad batch is refused whole (nothing
 * of it written, the batches before it kept), and rows of another shape before anything is written.
 */
class RingPutTest {
    private static final Duration PEER = RingFlightTest.PEER;

    @Test
    void aFullBlockRingHoldsThePutBackAndDropsNothing() throws Exception {
        String name = Names.unique("ring-put");
        int port = FlightTesting.freePort();
        try (Ring ring = Ring.create(name, RingOptions.of(DType.UINT8, 16384).capacity(8));
             PeerProcess server = PeerProcess.java(FlightPeer.class, "serve", Integer.toString(port));
             PeerProcess reader = PeerProcess.java(RingPeer.class, "read", name, "r", "600", "60000", "4000", "true",
                     "30000")) {
            server.await("serving " + port, PEER);
            reader.await("ready 0", PEER);
            try (PeerProcess client = PeerProcess.python("flight_peer.py", "ring-put", RingFlightTest.uri(port), name,
                    "600", "50")) {
                assertEquals("put 600", client.nextLine(PEER));
                long readerAt = ring.cursors().stream().filter(c -> c.name().equals("r")).mapToLong(CursorInfo::position)
                        .findFirst().orElseThrow();
                // 600 rows at 4 ms a frame for the reader: the put can only end once the reader is 8 frames behind.
                assertTrue(readerAt >= 600 - 8, "the put waited for the reader: it is at " + readerAt);
            }
            assertEquals("read 600 first 0 last 599 lost 0 abandoned 0 gaps 0 framelost 0 torn 0 backwards 0 badids 0",
                    reader.finish(PEER).get(0));
        } finally {
            Ring.unlink(name);
        }
    }

    @Test
    void aBadBatchIsRefusedWholeAndAnotherShapeBeforeAnything() throws Exception {
        String name = Names.unique("ring-put-bad");
        int port = FlightTesting.freePort();
        try (Ring ring = Ring.create(name, RingOptions.of(DType.UINT8, 16384).capacity(64));
             PeerProcess server = PeerProcess.java(FlightPeer.class, "serve", Integer.toString(port))) {
            server.await("serving " + port, PEER);
            String uri = RingFlightTest.uri(port);
            String shape = put(uri, name, "shape");
            assertTrue(shape.startsWith("error ArrowInvalid") && shape.contains("nothing was written"), shape);
            assertEquals(0, ring.writePosition());
            String nullValue = put(uri, name, "null-value");
            assertTrue(nullValue.startsWith("error ArrowInvalid") && nullValue.contains("null tensor values"), nullValue);
            assertEquals(10, ring.writePosition(), "the first batch of 10 is in, nothing of the second");
            String nullRow = put(uri, name, "null-row");
            assertTrue(nullRow.startsWith("error ArrowInvalid") && nullRow.contains("null rows"), nullRow);
            assertEquals(20, ring.writePosition());
            eventually(PEER, "the puts gave the writer lease back", () -> ring.info().writerPid() == 0);
        } finally {
            Ring.unlink(name);
        }
    }

    private static String put(String uri, String name, String bad) {
        try (PeerProcess client = PeerProcess.python("flight_peer.py", "ring-put", uri, name, "20", "10", bad)) {
            return client.nextLine(PEER);
        }
    }
}

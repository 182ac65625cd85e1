package io.arrowshm.flight;

import static io.arrowshm.flight.FlightTesting.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.arrowshm.DType;
import io.arrowshm.Publication;
import io.arrowshm.SharedMemory;
import io.arrowshm.testing.Names;
import io.arrowshm.testing.Patterns;
import io.arrowshm.testing.PeerProcess;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * writer → server → mirror → reader, each in its own process (loopback): a Java writer in a child
 * JVM, the server in another, the mirror in this JVM, a pyshmem reader in python; then the server
 * killed and restarted under the live mirror.
 */
class MirrorChainTest {
    private static final Duration PEER = Duration.ofSeconds(120);

    @Test
    void pyshmemReadsFramesMirroredFromAnotherProcessesServer() throws Exception {
        String source = Names.unique("chain-src");
        String local = Names.unique("chain-dst");
        int port = FlightTesting.freePort();
        try (SharedMemory created = SharedMemory.create(source, DType.FLOAT32, 16, 16);
             PeerProcess server = PeerProcess.java(FlightPeer.class, "serve", Integer.toString(port))) {
            server.await("serving " + port, PEER);
            try (StreamMirror mirror = StreamMirror.start(FlightSource.parse("grpc://127.0.0.1:" + port + "/" + source),
                    local, MirrorOptions.defaults())) {
                eventually(PEER, "mirror connected", () -> mirror.stats().connected());
                try (PeerProcess reader = PeerProcess.python("flight_peer.py", "pyshmem-follow", local, "20", "30")) {
                    reader.await("ready", PEER);
                    try (PeerProcess writer = PeerProcess.java(FlightPeer.class, "write-paced", source, "50", "400")) {
                        List<JsonNode> rows = PyarrowFlightTest.lines(reader.finish(PEER));
                        assertEquals(20, rows.size());
                        long previous = -1;
                        for (JsonNode row : rows) {
                            long frameId = row.get("frame_id").asLong();
                            assertTrue(frameId > previous, "frame ids keep the writer's order: " + rows);
                            assertEquals(Patterns.sha256(Patterns.bytes(DType.FLOAT32, 1024, (int) (frameId % 4))),
                                    row.get("sha").asText(), "frame " + frameId + " arrives intact");
                            previous = frameId;
                        }
                        writer.kill();
                    }
                }
                assertFalse(mirror.failure().isPresent());
            }
        } finally {
            SharedMemory.unlink(source);
            SharedMemory.unlink(local);
        }
    }

    @Test
    void mirrorRidesOutAServerKilledAndRestarted() throws Exception {
        String source = Names.unique("restart-src");
        String local = Names.unique("restart-dst");
        int port = FlightTesting.freePort();
        try (SharedMemory created = SharedMemory.create(source, DType.UINT8, 32, 32);
             PeerProcess writer = PeerProcess.java(FlightPeer.class, "write-paced", source, "100", "100000")) {
            writer.await("writing", PEER);
            StreamMirror mirror;
            try (PeerProcess server = PeerProcess.java(FlightPeer.class, "serve", Integer.toString(port))) {
                server.await("serving " + port, PEER);
                mirror = StreamMirror.start(FlightSource.parse("grpc://127.0.0.1:" + port + "/" + source), local,
                        MirrorOptions.defaults().backoff(Duration.ofMillis(50), Duration.ofMillis(400)));
                eventually(PEER, "frames mirrored", () -> mirror.stats().frames() > 20);
                server.kill();
            }
            try (mirror; SharedMemory reader = SharedMemory.open(local)) {
                eventually(PEER, "the mirror notices the server is gone", () -> !mirror.stats().connected());
                long countWhileDown = reader.count();
                Thread.sleep(1000);
                assertEquals(countWhileDown, reader.count(), "nothing is published while disconnected");
                assertTrue(reader.age() >= 0.9, "the local stream ages while disconnected: " + reader.age());
                assertEquals(1, mirror.stats().connects());

                try (PeerProcess server = PeerProcess.java(FlightPeer.class, "serve", Integer.toString(port))) {
                    server.await("serving " + port, PEER);
                    eventually(PEER, "the mirror reconnects", () -> mirror.stats().connects() == 2);
                    eventually(PEER, "frames flow again", () -> reader.count() > countWhileDown + 20);
                    try (Publication p = reader.readPublication()) {
                        byte[] bytes = new byte[1024];
                        p.payload().getBytes(0, bytes);
                        assertEquals(Patterns.sha256(Patterns.bytes(DType.UINT8, 1024, (int) (p.frameId() % 4))),
                                Patterns.sha256(bytes), "the frame after the restart is the writer's");
                    }
                    assertFalse(mirror.failure().isPresent());
                }
            }
        } finally {
            SharedMemory.unlink(source);
            SharedMemory.unlink(local);
        }
    }
}

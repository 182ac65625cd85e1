package io.arrowshm.flight;

import static io.arrowshm.flight.FlightTesting.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.arrowshm.DType;
import io.arrowshm.SharedMemory;
import io.arrowshm.testing.Names;
import io.arrowshm.testing.PeerProcess;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Defect 5 of the edge-hardening issue: a connection that dies without a FIN (the peer's host
 * froze, a cable was pulled) is noticed within seconds on both sides. The peer is frozen with
 * SIGSTOP: its kernel still holds the TCP connection open, but nothing answers on it any more,
 * exactly as for a dead host. Before the fix neither side had keepalive: a mirror stayed
 * "connected, 0 reconnects" forever while the source moved on, and the server kept the dead
 * client's call (and its thread and memory) forever.
 */
class LivenessTest {
    private static final Duration PEER = Duration.ofSeconds(120);
    /** Keepalive pings every few seconds and give up a few seconds later: well inside this. */
    private static final Duration NOTICED = Duration.ofSeconds(30);

    @Test
    void aMirrorNoticesAServerThatFrozeAndReconnectsToItsReplacement() throws Exception {
        String source = Names.unique("live-src");
        String local = Names.unique("live-dst");
        int port = FlightTesting.freePort();
        try (SharedMemory shm = SharedMemory.create(source, DType.FLOAT32, 16)) {
            PeerProcess server = PeerProcess.java(FlightPeer.class, "serve", Integer.toString(port));
            try (StreamMirror mirror = StreamMirror.start(FlightSource.parse("grpc://127.0.0.1:" + port + "/" + source),
                    local, MirrorOptions.defaults())) {
                server.await("serving " + port, PEER);
                shm.write(new float[16], 1L);
                eventually(PEER, "the mirror got the first frame", () -> mirror.stats().frames() >= 1);
                signal("STOP", server.pid());
                long frozen = System.nanoTime();
                eventually(NOTICED, "the mirror noticed the frozen server", () -> !mirror.stats().connected());
                System.out.println("the mirror noticed a frozen server after "
                        + (System.nanoTime() - frozen) / 1_000_000 + " ms: " + mirror.stats());
                server.kill();
                server = PeerProcess.java(FlightPeer.class, "serve", Integer.toString(port));
                server.await("serving " + port, PEER);
                shm.write(new float[16], 2L);
                eventually(PEER, "the mirror reconnected and got the next frame", () -> mirror.stats().frames() >= 2);
            } finally {
                server.kill();
            }
        } finally {
            SharedMemory.unlink(source);
            SharedMemory.unlink(local);
        }
    }

    @Test
    void aServerNoticesAClientThatFrozeAndEndsItsCall() throws Exception {
        String name = Names.unique("live-client");
        try (StreamFlightServer server = StreamFlightServer.start(ServeOptions.defaults().port(0));
             SharedMemory shm = SharedMemory.create(name, DType.UINT8, 64)) {
            shm.write(new byte[64]);
            try (PeerProcess client = PeerProcess.python("flight_peer.py", "get-until-end",
                    "grpc://127.0.0.1:" + server.port(), name)) {
                client.await("row 1", PEER);
                eventually(PEER, "the call is served", () -> server.stats().clients() == 1);
                signal("STOP", client.pid());
                long frozen = System.nanoTime();
                try {
                    eventually(NOTICED, "the server ended the frozen client's call", () -> server.stats().clients() == 0);
                    System.out.println("the server noticed a frozen client after "
                            + (System.nanoTime() - frozen) / 1_000_000 + " ms");
                } finally {
                    signal("CONT", client.pid());
                }
            }
            assertEquals(0, server.stats().clients());
        } finally {
            SharedMemory.unlink(name);
        }
    }

    private static void signal(String signal, long pid) throws Exception {
        assertEquals(0, new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start().waitFor());
    }
}

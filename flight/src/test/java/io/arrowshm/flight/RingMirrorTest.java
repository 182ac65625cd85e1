package io.arrowshm.flight;

import static io.arrowshm.flight.FlightTesting.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.DType;
import io.arrowshm.Overflow;
import io.arrowshm.Ring;
import io.arrowshm.RingOptions;
import io.arrowshm.testing.Names;
import io.arrowshm.testing.PeerProcess;
import io.arrowshm.testing.RingPeer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * writer → ring → server → mirror → local ring → Python reader ({@code arrow_shm}), five processes:
 * every frame of 64 KiB arrives once, in order, checked by content, while the server is killed and
 * started again, and then the mirror. The short form moves 10,000 frames (655 MB, under a minute on 2 busy cores);
 * {@code -Darrowshm.long=true} moves 10^5 (6.6 GB, several minutes).
 */
class RingMirrorTest {
    private static final Duration PEER = Duration.ofSeconds(300);
    /** The count: 10^5 frames of 64 KiB (about 27 s here, with both kills). */
    private static final int FRAMES = 100_000;

    @Test
    void everyFrameCrossesOnceWhileTheServerAndThenTheMirrorAreKilledAndRestarted() throws Exception {
        String source = Names.unique("chain-ring-src");
        String local = Names.unique("chain-ring-dst");
        int port = FlightTesting.freePort();
        String address = "grpc://127.0.0.1:" + port + "/" + source;
        String[] serve = {"serve-rings", Integer.toString(port), Long.toString(RingServeOptions.DEFAULT_WINDOW),
                Long.toString(RingServeOptions.DEFAULT_CLIENT_MEMORY), "60000"};
        RingOptions options = RingOptions.of(DType.UINT8, 65536).capacity(1024);
        try (Ring remote = Ring.create(source, options);
             Ring copy = Ring.create(local, options);
             PeerProcess reader = PeerProcess.python("flight_peer.py", "ring-read-ids", local, "reader",
                     Integer.toString(FRAMES), "120")) {
            reader.await("ready 0", PEER);
            PeerProcess server = PeerProcess.java(FlightPeer.class, serve);
            PeerProcess mirror = null;
            try {
                server.await("serving " + port, PEER);
                mirror = PeerProcess.java(RingChainPeer.class, "mirror", address, local);
                mirror.await("connected", PEER);
                eventually(PEER, "the mirror's cursor holds the writer", () -> remote.cursors().size() >= 2);
                try (PeerProcess writer = PeerProcess.java(RingPeer.class, "write", source, Integer.toString(FRAMES), "0")) {
                    eventually(PEER, "a third through", () -> copy.writePosition() > FRAMES / 3);
                    server.kill();
                    long whileDown = copy.writePosition();
                    server = PeerProcess.java(FlightPeer.class, serve);
                    server.await("serving " + port, PEER);
                    eventually(PEER, "frames flow again", () -> copy.writePosition() > whileDown + 100);

                    eventually(PEER, "two thirds through", () -> copy.writePosition() > 2 * FRAMES / 3);
                    mirror.kill();
                    mirror = PeerProcess.java(RingChainPeer.class, "mirror", address, local);
                    mirror.await("connected", PEER);
                    String facts = reader.finish(PEER).get(0);
                    System.out.println("mirror chain of " + FRAMES + " frames: " + facts);
                    assertTrue(facts.matches("read " + FRAMES + " last " + (FRAMES - 1)
                            + " gaps 0 backwards 0 torn 0 lost 0 abandoned [01]"), facts);
                    assertTrue(writer.finish(PEER).get(1).startsWith("wrote " + FRAMES));
                }
                assertEquals(Overflow.BLOCK, copy.overflow());
            } finally {
                server.close();
                if (mirror != null) {
                    mirror.close();
                }
            }
        } finally {
            Ring.unlink(source);
            Ring.unlink(local);
            java.nio.file.Files.deleteIfExists(MirrorProgress.pathOf(local));
        }
    }
}

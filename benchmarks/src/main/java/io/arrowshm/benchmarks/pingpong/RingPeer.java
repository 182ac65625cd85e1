package io.arrowshm.benchmarks.pingpong;

import io.arrowshm.Ring;
import io.arrowshm.RingReader;
import io.arrowshm.RingWriter;
import io.arrowshm.benchmarks.RunMode;
import java.time.Duration;

/**
 * One side of a ping-pong over two arrow-shm rings (requests, acks), in its own JVM. Arguments:
 * {@code client|server REQUESTS ACKS MODE}. Each side is the writer of one ring and the reader
 * (a blocking cursor, default wait strategy) of the other; it attaches its reader before it
 * writes anything, and a new cursor starts at the oldest frame, so no message is missed however
 * the two processes start. Payloads go in with {@code write(float[])} and out with
 * {@code readInto(float[])}, the same two copies per message as the other cases.
 */
public final class RingPeer {
    private static final Duration PATIENCE = Duration.ofSeconds(120);

    private RingPeer() {
    }

    public static void main(String[] args) {
        String role = args[0];
        boolean server = role.equals("server");
        RunMode mode = RunMode.valueOf(args[3].toUpperCase(java.util.Locale.ROOT));
        try (Ring requests = Ring.open(args[1]);
                Ring acks = Ring.open(args[2]);
                RingReader in = (server ? requests : acks).reader(role);
                RingWriter out = (server ? acks : requests).writer()) {
            Endpoint.run(role, () -> server(in, out), () -> client(in, out), mode.pingPong());
        }
    }

    private static Endpoint.Client client(RingReader acks, RingWriter requests) {
        float[] request = new float[Endpoint.ELEMENTS];
        float[] ack = new float[Endpoint.ELEMENTS];
        return Endpoint.client(request, ack, i -> {
            requests.write(request, 0L, PATIENCE);
            acks.readInto(ack, PATIENCE);
        });
    }

    private static Endpoint.Server server(RingReader requests, RingWriter acks) {
        float[] message = new float[Endpoint.ELEMENTS];
        return n -> {
            requests.readInto(message, PATIENCE);
            acks.write(message, 0L, PATIENCE);
            return message[0] != Endpoint.STOP;
        };
    }
}

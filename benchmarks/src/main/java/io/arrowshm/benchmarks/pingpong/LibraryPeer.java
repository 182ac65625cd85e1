package io.arrowshm.benchmarks.pingpong;

import io.arrowshm.OpenOptions;
import io.arrowshm.SharedMemory;
import io.arrowshm.WaitStrategy;
import io.arrowshm.benchmarks.RunMode;
import java.time.Duration;

/**
 * One side of a ping-pong over two arrow-shm streams (requests, acks), in its own JVM.
 * Arguments: {@code client|server REQUESTS ACKS default|park MODE}. {@code park} waits without
 * spinning, so every wake-up goes through the futex (what the notify target compares with a
 * raw futex); {@code default} is what an application gets out of the box.
 *
 * <p>Waits are level-triggered ({@code waitForCount}), so an ack published before the client
 * starts waiting is never missed; payloads are copied with the safe {@code readInto}.
 */
public final class LibraryPeer {
    private static final Duration PATIENCE = Duration.ofSeconds(120);

    private LibraryPeer() {
    }

    public static void main(String[] args) {
        String role = args[0];
        WaitStrategy strategy = args[3].equals("park") ? WaitStrategy.of(0, 0, Duration.ofMillis(1))
                : WaitStrategy.defaults();
        RunMode mode = RunMode.valueOf(args[4].toUpperCase(java.util.Locale.ROOT));
        OpenOptions options = OpenOptions.defaults().waitStrategy(strategy);
        try (SharedMemory requests = SharedMemory.open(args[1], options);
                SharedMemory acks = SharedMemory.open(args[2], options)) {
            Endpoint.run(role, () -> server(requests, acks), () -> client(requests, acks), mode.pingPong());
        }
    }

    private static Endpoint.Client client(SharedMemory requests, SharedMemory acks) {
        float[] request = new float[Endpoint.ELEMENTS];
        float[] ack = new float[Endpoint.ELEMENTS];
        return Endpoint.client(request, ack, i -> {
            requests.write(request);
            acks.waitForCount(i, PATIENCE);
            acks.readInto(ack);
        });
    }

    private static Endpoint.Server server(SharedMemory requests, SharedMemory acks) {
        float[] message = new float[Endpoint.ELEMENTS];
        return n -> {
            requests.waitForCount(n, PATIENCE);
            requests.readInto(message);
            acks.write(message);
            return message[0] != Endpoint.STOP;
        };
    }
}

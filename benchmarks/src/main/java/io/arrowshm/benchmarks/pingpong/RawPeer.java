package io.arrowshm.benchmarks.pingpong;

import io.arrowshm.benchmarks.RunMode;

/**
 * One side of the raw ping-pong ({@link RawChannel}), in its own JVM.
 * Arguments: {@code client|server SEGMENT spin|futex MODE}.
 */
public final class RawPeer {
    private RawPeer() {
    }

    public static void main(String[] args) {
        boolean futex = args[2].equals("futex");
        RunMode mode = RunMode.valueOf(args[3].toUpperCase(java.util.Locale.ROOT));
        // The channel's mapping ends with this process.
        RawChannel channel = RawChannel.open(args[1], futex);
        Endpoint.run(args[0], channel::server, channel::client, mode.pingPong());
    }
}

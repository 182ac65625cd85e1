package io.arrowshm.benchmarks.pingpong;

/**
 * The two sides of a request/ack ping-pong, whatever carries it. A request and its ack each
 * carry the same 64 KiB payload; element 0 holds the request number, and a negative number
 * tells the server to ack once more and exit.
 */
public final class Endpoint {
    /** float32 elements per message: 128 x 128 = 64 KiB. */
    public static final int ELEMENTS = 128 * 128;
    public static final int BYTES = ELEMENTS * Float.BYTES;
    public static final float STOP = -1f;

    private Endpoint() {
    }

    /** The measuring side. */
    public interface Client {
        /**
         * Sends request {@code i} (0, 1, 2, ...) and returns once its ack has been read back,
         * checking that the ack answers this request.
         */
        void exchange(long i);

        /** Sends the stop request numbered {@code i} and waits for its ack. */
        void stop(long i);
    }

    /** The echoing side. */
    public interface Server {
        /** Waits for request number {@code n}, copies it out, acks it; false once it was the stop request. */
        boolean echo(long n);
    }

    /** Runs a server until the client stops it. */
    public static void serve(Server server) {
        for (long n = 0; server.echo(n); n++) {
            // each call is one round trip
        }
    }

    static void checkAck(float ack, long expected) {
        if (ack != (float) expected) {
            throw new IllegalStateException("ack out of step: expected request " + expected + ", got " + ack);
        }
    }
}

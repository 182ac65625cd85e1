package io.arrowshm.benchmarks.pingpong;

import com.google.gson.Gson;
import io.arrowshm.benchmarks.RunMode;
import java.util.function.LongConsumer;
import java.util.function.Supplier;

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

    /**
     * Runs one side of a case in a peer process: the server until the client stops it, or the
     * client's measured round trips, whose summary goes to stdout as the {@code RESULT} line.
     */
    public static void run(String role, Supplier<Server> server, Supplier<Client> client, RunMode.PingPong plan) {
        if (role.equals("server")) {
            serve(server.get());
        } else {
            LatencySummary summary = RoundTripSampler.run(client.get(), plan);
            System.out.println("RESULT " + new Gson().toJson(summary));
        }
    }

    /**
     * The measuring side over two messages of {@link #ELEMENTS}: each exchange numbers
     * {@code request} (element 0), and {@code send} delivers it and waits until {@code ack} holds
     * the answer to that request number.
     */
    static Client client(float[] request, float[] ack, LongConsumer send) {
        return new Client() {
            @Override
            public void exchange(long i) {
                request[0] = i;
                send.accept(i);
                checkAck(ack[0], i);
            }

            @Override
            public void stop(long i) {
                request[0] = STOP;
                send.accept(i);
            }
        };
    }

    static void checkAck(float ack, long expected) {
        if (ack != (float) expected) {
            throw new IllegalStateException("ack out of step: expected request " + expected + ", got " + ack);
        }
    }
}

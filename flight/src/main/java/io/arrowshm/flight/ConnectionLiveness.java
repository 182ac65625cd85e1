package io.arrowshm.flight;

import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import java.util.concurrent.TimeUnit;

/**
 * HTTP/2 keepalive on both ends of our connections, so a peer that died without a FIN (a host
 * that froze, a cable pulled) is noticed in about {@code PING_AFTER + PING_TIMEOUT}: its calls
 * fail, a mirror reconnects, the server frees the call's thread and memory. gRPC's defaults have
 * no client pings and a server that pings every two hours.
 */
final class ConnectionLiveness {
    /** Seconds without reads before a ping: gRPC's minimum (it raises anything lower to 10 s). */
    static final long PING_AFTER_SECONDS = 10;
    /** Seconds a ping may go unanswered before the connection is closed. */
    static final long PING_TIMEOUT_SECONDS = 5;
    /** Seconds between two pings a server accepts from a client (it closes a connection that pings more often). */
    static final long PERMIT_PINGS_EVERY_SECONDS = 5;
    /** Minutes a server keeps a connection that has no call. */
    static final long MAX_IDLE_MINUTES = 10;

    private ConnectionLiveness() {
    }

    static void apply(NettyServerBuilder server) {
        server.keepAliveTime(PING_AFTER_SECONDS, TimeUnit.SECONDS)
                .keepAliveTimeout(PING_TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .permitKeepAliveTime(PERMIT_PINGS_EVERY_SECONDS, TimeUnit.SECONDS)
                .permitKeepAliveWithoutCalls(true)
                .maxConnectionIdle(MAX_IDLE_MINUTES, TimeUnit.MINUTES);
    }

    static void apply(NettyChannelBuilder client) {
        // Without calls too: a mirror waiting for its server to come back still notices a dead connection.
        client.keepAliveTime(PING_AFTER_SECONDS, TimeUnit.SECONDS)
                .keepAliveTimeout(PING_TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .keepAliveWithoutCalls(true);
    }
}

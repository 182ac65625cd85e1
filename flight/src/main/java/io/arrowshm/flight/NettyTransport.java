package io.arrowshm.flight;

import io.grpc.netty.NettyServerBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * The server's Netty transport: NIO channels whose connections write rows without a copy
 * ({@link DirectWriteServerChannel}), and the event loops they run on, which gRPC takes from us
 * when it is given its channel type, and which this class therefore owns and shuts down. As many
 * I/O threads as gRPC's default (Netty's: two per core), one for accepting.
 */
final class NettyTransport implements AutoCloseable {
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;

    NettyTransport() {
        // Netty's thread factory: its threads make Netty's per-thread state cheap (FastThreadLocal).
        this.boss = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("arrow-shm-flight-accept", true),
                NioIoHandler.newFactory());
        this.workers = new MultiThreadIoEventLoopGroup(0, new DefaultThreadFactory("arrow-shm-flight-io", true),
                NioIoHandler.newFactory());
    }

    void apply(NettyServerBuilder builder) {
        builder.channelFactory(DirectWriteServerChannel::new).bossEventLoopGroup(boss).workerEventLoopGroup(workers);
    }

    /** Stops the event loops (after the gRPC server has closed its channels), waiting a bounded while. */
    @Override
    public void close() {
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        boss.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
        workers.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}

package io.arrowshm.flight;

import io.netty.channel.Channel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.util.List;

/**
 * The server's listening channel: Netty's NIO one, except that every connection it accepts gets
 * {@link DirectWrites} first in its pipeline (before gRPC installs its own handlers after it).
 */
final class DirectWriteServerChannel extends NioServerSocketChannel {
    @Override
    protected int doReadMessages(List<Object> accepted) throws Exception {
        int before = accepted.size();
        int read = super.doReadMessages(accepted);
        for (int i = before; i < accepted.size(); i++) {
            ((Channel) accepted.get(i)).pipeline().addFirst("arrow-shm-direct-writes", DirectWrites.INSTANCE);
        }
        return read;
    }
}

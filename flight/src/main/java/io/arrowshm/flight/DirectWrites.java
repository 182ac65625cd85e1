package io.arrowshm.flight;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import java.nio.ByteBuffer;

/**
 * Keeps Flight's zero-copy write zero-copy down to the socket. Flight sends a row as one Netty
 * composite whose first part, the protobuf header, is a heap buffer, and the rest the row's Arrow
 * buffers (off-heap). A composite with one heap part is not "direct", and Netty's NIO channel copies
 * every non-direct buffer it writes into a fresh direct one: the whole row, again. This handler sits
 * next to the channel's head, where the HTTP/2 frames arrive, and re-assembles such a buffer as a
 * direct composite over the same memory (only the small heap parts are copied), which the channel
 * then writes as it is, with a gathering write.
 *
 * <p>The original buffer stays retained until the write has finished, failed or been dropped, so
 * the memory the new composite borrows is never released under it.
 */
@ChannelHandler.Sharable
final class DirectWrites extends ChannelOutboundHandlerAdapter {
    static final DirectWrites INSTANCE = new DirectWrites();
    /** Smaller buffers are left to Netty's copy, which costs less than re-assembling them. */
    static final int MIN_BYTES = 4096;

    private DirectWrites() {
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof ByteBuf) || !needsAssembly((ByteBuf) msg)) {
            ctx.write(msg, promise);
            return;
        }
        ByteBuf original = (ByteBuf) msg;
        ByteBuf direct;
        try {
            direct = assemble(ctx, original);
        } catch (RuntimeException e) {
            ctx.write(msg, promise); // as Netty would have done: it copies
            return;
        }
        ChannelPromise done = promise.unvoid();
        done.addListener(f -> original.release());
        ctx.write(direct, done);
    }

    private static boolean needsAssembly(ByteBuf buf) {
        return !buf.isDirect() && !buf.hasArray() && buf.readableBytes() >= MIN_BYTES && buf.nioBufferCount() > 0;
    }

    /** The readable bytes of {@code buf} as a direct composite: direct parts wrapped, heap parts copied. */
    private static ByteBuf assemble(ChannelHandlerContext ctx, ByteBuf buf) {
        ByteBuffer[] parts = buf.nioBuffers(buf.readerIndex(), buf.readableBytes());
        CompositeByteBuf direct = ctx.alloc().compositeDirectBuffer(Math.max(2, parts.length));
        try {
            for (ByteBuffer part : parts) {
                if (!part.hasRemaining()) {
                    continue;
                }
                if (part.isDirect()) {
                    direct.addComponent(true, Unpooled.wrappedBuffer(part));
                } else {
                    ByteBuf copy = ctx.alloc().directBuffer(part.remaining());
                    copy.writeBytes(part);
                    direct.addComponent(true, copy);
                }
            }
            return direct;
        } catch (RuntimeException | Error e) {
            direct.release();
            throw e;
        }
    }
}

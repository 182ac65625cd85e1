package io.arrowshm.flight;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The buffer lifetime of {@link DirectWrites}: a row written as Flight writes it (a heap header
 * before off-heap Arrow buffers) leaves the handler as one direct buffer with the same bytes, and
 * the row's own buffer, whose memory that borrows, is released exactly once, and only when the
 * write has completed or failed.
 */
class DirectWritesTest {
    @Test
    void aRowLeavesAsADirectBufferAndItsOwnIsReleasedOnlyWhenTheWriteCompletes() {
        List<byte[]> seen = new ArrayList<>();
        List<Boolean> direct = new ArrayList<>();
        // Where the channel's head is: what the socket would be given, read while it is written.
        ChannelOutboundHandlerAdapter socket = new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                seen.add(ByteBufUtil.getBytes((ByteBuf) msg));
                direct.add(((ByteBuf) msg).isDirect());
                ctx.write(msg, promise);
            }
        };
        EmbeddedChannel channel = new EmbeddedChannel(socket, DirectWrites.INSTANCE);
        ByteBuf row = row(64 << 10);
        byte[] expected = ByteBufUtil.getBytes(row);
        ChannelFuture written = channel.write(row);
        assertFalse(written.isDone());
        assertEquals(1, row.refCnt(), "the row is held while its write is pending");
        assertEquals(List.of(true), direct, "the channel gets a direct buffer: NIO writes it without a copy");
        assertArrayEquals(expected, seen.get(0));
        channel.flush();
        assertTrue(written.isSuccess());
        assertEquals(0, row.refCnt(), "released once the write completed");
        ByteBuf sent = channel.readOutbound();
        sent.release();
        assertFalse(channel.finish());
    }

    @Test
    void aFailedWriteReleasesTheRowOnce() {
        EmbeddedChannel channel = new EmbeddedChannel(DirectWrites.INSTANCE);
        channel.close();
        ByteBuf row = row(64 << 10);
        ChannelFuture written = channel.writeAndFlush(row);
        assertFalse(written.isSuccess());
        assertEquals(0, row.refCnt());
    }

    @Test
    void smallAndAlreadyDirectBuffersPassThroughAsTheyAre() {
        EmbeddedChannel channel = new EmbeddedChannel(DirectWrites.INSTANCE);
        ByteBuf small = row(DirectWrites.MIN_BYTES / 2);
        ByteBuf direct = Unpooled.directBuffer(64 << 10).writeZero(64 << 10);
        channel.writeAndFlush(small);
        channel.writeAndFlush(direct);
        ByteBuf first = channel.readOutbound();
        ByteBuf second = channel.readOutbound();
        assertSame(small, first);
        assertSame(direct, second);
        first.release();
        second.release();
        assertEquals(0, small.refCnt());
        assertEquals(0, direct.refCnt());
    }

    /** A row as Flight sends it: a small heap header, then off-heap data, in one composite. */
    private static ByteBuf row(int dataBytes) {
        ByteBuf header = Unpooled.buffer(40);
        for (int i = 0; i < 40; i++) {
            header.writeByte(i);
        }
        ByteBuf data = Unpooled.directBuffer(dataBytes);
        for (int i = 0; i < dataBytes; i++) {
            data.writeByte(i * 31 + (i >>> 8));
        }
        CompositeByteBuf row = Unpooled.compositeBuffer();
        row.addComponents(true, header, data);
        return row;
    }
}

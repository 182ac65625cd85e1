package io.arrowshm.tensors;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.flatbuf.RecordBatch;
import org.apache.arrow.vector.ipc.ReadChannel;
import org.apache.arrow.vector.ipc.message.ArrowBlock;
import org.apache.arrow.vector.ipc.message.MessageMetadataResult;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The checks a file gets before any of its batches is read: its framing (the file format's
 * footer, the stream format's end marker), and every record batch's header (see
 * {@link RecordBatchCheck}), each message's declared lengths held to the file's size before
 * anything is allocated for them. Reads headers and length prefixes only, never a body.
 */
final class IpcFileCheck {
    /** "ARROW1", at both ends of the file format. */
    static final byte[] MAGIC = "ARROW1".getBytes(StandardCharsets.US_ASCII);
    /** The most bytes one message's metadata (or the footer) may take: headers are a few KiB. */
    private static final int MAX_METADATA_BYTES = 64 << 20;
    /** The file format's tail: the footer's length (int32) and the magic. */
    private static final int TAIL_BYTES = 4 + 6;

    private final Path file;
    private final FileChannel channel;
    private final long size;

    IpcFileCheck(Path file, FileChannel channel) throws IOException {
        this.file = file;
        this.channel = channel;
        this.size = channel.size();
    }

    boolean startsWithMagic() throws IOException {
        ByteBuffer head = ByteBuffer.allocate(MAGIC.length);
        channel.read(head, 0);
        return head.position() == MAGIC.length && Arrays.equals(head.array(), MAGIC);
    }

    /** The file format: a footer at the end, of a sane size. */
    void fileFraming() throws IOException {
        if (size == 0) {
            throw new TensorFileException(file + ": empty file, not Arrow IPC");
        }
        ByteBuffer tail = ByteBuffer.allocate(TAIL_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        if (size < 2L * MAGIC.length + 4 || channel.read(tail, size - TAIL_BYTES) != TAIL_BYTES
                || !Arrays.equals(Arrays.copyOfRange(tail.array(), 4, TAIL_BYTES), MAGIC)) {
            throw new TensorFileException(file + ": truncated Arrow IPC file (no footer: the writer did not"
                    + " finish it)");
        }
        int footer = tail.getInt(0);
        if (footer <= 0 || footer > MAX_METADATA_BYTES || footer > size - TAIL_BYTES - MAGIC.length) {
            throw new TensorFileException(file + ": damaged Arrow IPC file (its footer claims " + footer + " bytes)");
        }
    }

    /**
     * The file format's record batches, as its footer lists them: each block inside the file, its
     * header read and checked (rows, nodes, buffers, declared uncompressed lengths).
     */
    void fileBatches(List<ArrowBlock> blocks, RecordBatchCheck check) throws IOException {
        for (int i = 0; i < blocks.size(); i++) {
            ArrowBlock block = blocks.get(i);
            long end = block.getOffset() + block.getMetadataLength() + block.getBodyLength();
            if (block.getOffset() < 0 || block.getMetadataLength() <= 0 || block.getBodyLength() < 0 || end > size
                    || end < block.getOffset()) {
                throw new TensorFileException(file + ": corrupt Arrow IPC file (record batch " + (i + 1)
                        + " lies past the end)");
            }
            MessageMetadataResult message = header(block.getOffset(), "record batch " + (i + 1));
            if (message.getMessageBodyLength() != block.getBodyLength()) {
                throw new TensorFileException(file + ": corrupt Arrow IPC file (record batch " + (i + 1) + " has "
                        + message.getMessageBodyLength() + " body bytes, the footer says " + block.getBodyLength() + ")");
            }
            batch(message, block.getOffset() + block.getMetadataLength(), check, i + 1);
        }
    }

    /**
     * The stream format: every message from the schema to the end-of-stream marker, each header
     * checked and each body's length held to the file, bodies skipped. A file cut short lacks the
     * marker, and we say so before any row is used.
     */
    void streamMessages(IpcLimits limits) throws IOException {
        if (size == 0) {
            throw new TensorFileException(file + ": empty file, not Arrow IPC");
        }
        RecordBatchCheck check = null;
        long at = 0;
        for (int index = 0; ; index++) {
            ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            int got = Math.max(0, channel.read(prefix, at));
            if (got < 4) {
                throw new TensorFileException(file + (index == 0 ? ": not Arrow IPC (too short)"
                        : ": truncated Arrow IPC stream (no end-of-stream marker: the writer did not finish it)"));
            }
            int length = prefix.getInt(0);
            if (length == MessageSerializer.IPC_CONTINUATION_TOKEN) {
                length = got < 8 ? -1 : prefix.getInt(4);
            }
            if (length == 0) {
                if (index == 0) {
                    throw new TensorFileException(file + ": not Arrow IPC (no schema message)");
                }
                return; // the end-of-stream marker
            }
            String what = index == 0 ? "the schema message" : "message " + (index + 1) + " (at byte " + at + ")";
            MessageMetadataResult message = header(at, what);
            long bodyStart = channel.position();
            long body = message.getMessageBodyLength();
            if (body < 0 || body > size - bodyStart) {
                throw new TensorFileException(file + ": truncated Arrow IPC stream (" + what + " needs " + body
                        + " body bytes, the file ends first)");
            }
            byte type = message.getMessage().headerType();
            if (index == 0) {
                if (type != MessageHeader.Schema) {
                    throw new TensorFileException(file + ": not Arrow IPC (the first message is not a schema)");
                }
                check = rejecting(() -> RecordBatchCheck.of(MessageSerializer.deserializeSchema(message), limits),
                        "the schema");
            } else if (type == MessageHeader.RecordBatch) {
                batch(message, bodyStart, check, index);
            } else {
                throw new TensorFileException(file + ": " + what + " is a " + MessageHeader.name(type)
                        + " message; a tensor input has only record batches after its schema");
            }
            at = bodyStart + body;
        }
    }

    /** Checks the schema the way a batch's header is checked: limits, and columns whose sizes can be bounded. */
    RecordBatchCheck schema(Schema schema, IpcLimits limits) {
        return rejecting(() -> RecordBatchCheck.of(schema, limits), "the schema");
    }

    private void batch(MessageMetadataResult message, long bodyStart, RecordBatchCheck check, int number) {
        if (message.getMessage().headerType() != MessageHeader.RecordBatch) {
            throw new TensorFileException(file + ": record batch " + number + " is a "
                    + MessageHeader.name(message.getMessage().headerType()) + " message");
        }
        RecordBatch header = (RecordBatch) message.getMessage().header(new RecordBatch());
        if (header == null) {
            throw new TensorFileException(file + ": damaged Arrow IPC metadata (record batch " + number
                    + " has no header)");
        }
        rejecting(() -> {
            check.check(header, message.getMessageBodyLength(), offset -> prefixAt(bodyStart + offset));
            return null;
        }, "record batch " + number);
    }

    /** A message's metadata at {@code at}, its length prefix held to the file and to a sane size first. */
    private MessageMetadataResult header(long at, String what) throws IOException {
        ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        int got = Math.max(0, channel.read(prefix, at));
        int length = got >= 4 ? prefix.getInt(0) : -1;
        int prefixBytes = 4;
        if (length == MessageSerializer.IPC_CONTINUATION_TOKEN) {
            length = got >= 8 ? prefix.getInt(4) : -1;
            prefixBytes = 8;
        }
        // Checked before Arrow allocates `length` bytes for it: garbage would otherwise ask for gigabytes.
        if (length <= 0 || length > MAX_METADATA_BYTES || at + prefixBytes + length > size) {
            throw new TensorFileException(file + ": truncated or damaged Arrow IPC (" + what + " claims a "
                    + length + "-byte header)");
        }
        channel.position(at);
        try {
            MessageMetadataResult message = MessageSerializer.readMessage(new ReadChannel(channel));
            if (message == null) {
                throw new TensorFileException(file + ": truncated Arrow IPC (" + what + " ends early)");
            }
            return message;
        } catch (IOException | RuntimeException e) {
            if (e instanceof TensorFileException) {
                throw e;
            }
            throw new TensorFileException(file + ": " + TensorFileReader.describe(e) + " (" + what + ")", e);
        }
    }

    /** The 8-byte little-endian length prefix of a compressed buffer at {@code position}. */
    private long prefixAt(long position) {
        ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        try {
            if (channel.read(prefix, position) != 8) {
                throw new BatchRejectedException("a compressed buffer at byte " + position + " is cut short", false);
            }
        } catch (IOException e) {
            throw new TensorFileException(file + ": cannot read it (" + TensorFileReader.oneLine(e) + ")", e);
        }
        return prefix.getLong(0);
    }

    private interface Checked<T> {
        T run();
    }

    private <T> T rejecting(Checked<T> check, String what) {
        try {
            return check.run();
        } catch (BatchRejectedException e) {
            throw new TensorFileException(file + ": " + what + ": " + e.getMessage(), e);
        }
    }
}

package io.arrowshm.tensors;

import com.github.luben.zstd.Zstd;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.compression.CompressionUtil;
import org.apache.arrow.vector.compression.NoCompressionCodec;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.commons.compress.compressors.lz4.FramedLZ4CompressorInputStream;

/**
 * Decompresses a record batch's buffers with each buffer's declared length as a hard limit, and
 * without leaking when a frame is corrupt. Arrow Java's own path does neither: its LZ4 codec
 * decompresses a whole frame into a growing heap array whatever the length prefix says (512 MiB
 * of zeros from a 4 KiB buffer), and its loader keeps references to the buffers it decompressed
 * before the one that failed. Call after {@link RecordBatchCheck}, which holds the declared
 * lengths to what the rows need.
 *
 * <pre>{@code
 * RecordBatchCheck.of(schema, limits).check(batch);
 * try (ArrowRecordBatch plain = BatchDecompression.decompress(batch, allocator)) {
 *     new VectorLoader(root).load(plain);
 * }
 * }</pre>
 */
public final class BatchDecompression {
    private static final int LZ4_CHUNK = 1 << 16;

    private BatchDecompression() {
    }

    /**
     * The batch with every buffer decompressed into {@code allocator} (the caller closes it;
     * {@code batch} is left as it was). A batch without compression comes back as a new batch
     * over the same buffers.
     *
     * @throws BatchRejectedException when a frame is corrupt or decodes to another length than declared
     */
    public static ArrowRecordBatch decompress(ArrowRecordBatch batch, BufferAllocator allocator) {
        CompressionUtil.CodecType codec = codec(batch);
        List<ArrowBuf> plain = new ArrayList<>(batch.getBuffers().size());
        try {
            for (int i = 0; i < batch.getBuffers().size(); i++) {
                plain.add(decompressed(codec, batch.getBuffers().get(i), i, allocator));
            }
            // The new batch takes references of its own; ours are released below.
            return new ArrowRecordBatch(batch.getLength(), batch.getNodes(), plain,
                    NoCompressionCodec.DEFAULT_BODY_COMPRESSION, true, true);
        } finally {
            plain.forEach(ArrowBuf::close);
        }
    }

    /**
     * Decompresses every buffer once into {@code scratch} and frees it again: proves that the
     * batch decodes, to exactly its declared lengths, before a loader that trusts it does so.
     *
     * @throws BatchRejectedException when a frame is corrupt or decodes to another length than declared
     */
    public static void verify(ArrowRecordBatch batch, BufferAllocator scratch) {
        CompressionUtil.CodecType codec = codec(batch);
        if (codec == CompressionUtil.CodecType.NO_COMPRESSION) {
            return;
        }
        for (int i = 0; i < batch.getBuffers().size(); i++) {
            decompressed(codec, batch.getBuffers().get(i), i, scratch).close();
        }
    }

    private static CompressionUtil.CodecType codec(ArrowRecordBatch batch) {
        return CompressionUtil.CodecType.fromCompressionType(batch.getBodyCompression().getCodec());
    }

    /** One buffer decoded, as a reference the caller owns (closing it releases exactly that reference). */
    private static ArrowBuf decompressed(CompressionUtil.CodecType codec, ArrowBuf buffer, int index,
                                         BufferAllocator allocator) {
        long sent = buffer.writerIndex();
        if (codec == CompressionUtil.CodecType.NO_COMPRESSION || sent == 0) {
            buffer.getReferenceManager().retain();
            return buffer;
        }
        if (sent < CompressionUtil.SIZE_OF_UNCOMPRESSED_LENGTH) {
            throw new BatchRejectedException("buffer " + index + ": " + sent + " bytes, shorter than its length prefix",
                    false);
        }
        long declared = buffer.getLong(0);
        long frame = sent - CompressionUtil.SIZE_OF_UNCOMPRESSED_LENGTH;
        if (declared == CompressionUtil.NO_COMPRESSION_LENGTH) {
            ArrowBuf raw = buffer.slice(CompressionUtil.SIZE_OF_UNCOMPRESSED_LENGTH, frame);
            raw.getReferenceManager().retain();
            return raw;
        }
        if (declared == 0) {
            return allocator.getEmpty();
        }
        if (declared < 0 || frame > Integer.MAX_VALUE) {
            throw new BatchRejectedException("buffer " + index + " declares " + declared + " bytes", false);
        }
        ArrowBuf out = allocator.buffer(declared);
        try {
            long produced;
            if (codec == CompressionUtil.CodecType.ZSTD) {
                produced = Zstd.decompressUnsafe(out.memoryAddress(), declared,
                        buffer.memoryAddress() + CompressionUtil.SIZE_OF_UNCOMPRESSED_LENGTH, frame);
                if (Zstd.isError(produced)) {
                    throw new BatchRejectedException("buffer " + index + ": corrupt zstd frame ("
                            + Zstd.getErrorName(produced) + ")", false);
                }
            } else {
                produced = lz4(buffer.nioBuffer(CompressionUtil.SIZE_OF_UNCOMPRESSED_LENGTH, (int) frame), out,
                        declared, index);
            }
            if (produced != declared) {
                throw new BatchRejectedException("buffer " + index + " decodes to " + produced + " bytes, not the "
                        + declared + " it declares", false);
            }
            out.writerIndex(declared);
            return out;
        } catch (RuntimeException | Error e) {
            out.close();
            throw e;
        }
    }

    /** Decodes an LZ4 frame into {@code out}, failing as soon as it would exceed {@code declared}. */
    private static long lz4(ByteBuffer frame, ArrowBuf out, long declared, int index) {
        byte[] chunk = new byte[LZ4_CHUNK];
        long produced = 0;
        try (InputStream in = new FramedLZ4CompressorInputStream(new ByteBufferInput(frame))) {
            for (int n = in.read(chunk); n >= 0; n = in.read(chunk)) {
                if (n > declared - produced) {
                    throw new BatchRejectedException("buffer " + index + ": its LZ4 frame decodes to more than the "
                            + declared + " bytes it declares", false);
                }
                out.setBytes(produced, chunk, 0, n);
                produced += n;
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new BatchRejectedException("buffer " + index + ": corrupt LZ4 frame (" + TensorFileReader.oneLine(e)
                    + ")", false);
        }
        return produced;
    }

    /** An InputStream over a ByteBuffer's remaining bytes. */
    private static final class ByteBufferInput extends InputStream {
        private final ByteBuffer buffer;

        ByteBufferInput(ByteBuffer buffer) {
            this.buffer = buffer;
        }

        @Override
        public int read() {
            return buffer.hasRemaining() ? buffer.get() & 0xFF : -1;
        }

        @Override
        public int read(byte[] target, int offset, int length) {
            if (!buffer.hasRemaining()) {
                return -1;
            }
            int n = Math.min(length, buffer.remaining());
            buffer.get(target, offset, n);
            return n;
        }
    }
}

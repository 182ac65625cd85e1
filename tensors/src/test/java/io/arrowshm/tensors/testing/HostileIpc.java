package io.arrowshm.tensors.testing;

import com.github.luben.zstd.ZstdOutputStream;
import io.arrowshm.DType;
import io.arrowshm.tensors.ArrowTensorTypes;
import io.arrowshm.tensors.RecordingSchema;
import io.arrowshm.tensors.TensorFileException;
import io.arrowshm.tensors.TensorFileReader;
import io.arrowshm.testing.Patterns;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.flatbuf.BodyCompressionMethod;
import org.apache.arrow.flatbuf.CompressionType;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.ipc.WriteChannel;
import org.apache.arrow.vector.ipc.message.ArrowBlock;
import org.apache.arrow.vector.ipc.message.ArrowBodyCompression;
import org.apache.arrow.vector.ipc.message.ArrowFieldNode;
import org.apache.arrow.vector.ipc.message.ArrowFooter;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.IpcOption;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.commons.compress.compressors.lz4.FramedLZ4CompressorOutputStream;

/**
 * Arrow IPC files crafted message by message, the way a hostile or broken writer makes them:
 * record batches whose header declares what their body does not hold (a row count with no rows
 * behind it, a compressed buffer claiming gigabytes, a compressed frame of garbage), for one
 * {@code arrow.fixed_shape_tensor} column. Arrow Java's own writer frames them, so everything
 * but the lie is well formed.
 *
 * <pre>{@code
 * try (BufferAllocator allocator = new RootAllocator()) {
 *     HostileIpc.write(file, true, HostileIpc.schema(DType.FLOAT32, 4, 4),
 *             List.of(HostileIpc.rowCountBomb(allocator, DType.FLOAT32, new long[] {4, 4}, 1 << 26, 4)));
 * }
 * }</pre>
 */
public final class HostileIpc {
    /** Arrow's body compression codecs, as the batch header names them. */
    public enum Codec { NONE, ZSTD, LZ4 }

    private static final byte[] MAGIC = "ARROW1".getBytes(StandardCharsets.US_ASCII);
    private static final int ZERO_CHUNK = 1 << 20;

    private HostileIpc() {
    }

    /** A schema of one column, {@code tensor}, for a stream of {@code dtype} and {@code shape}. */
    public static Schema schema(DType dtype, long... shape) {
        return new Schema(List.of(RecordingSchema.tensorField(dtype, shape)));
    }

    /** An honest batch: {@code rows} rows of pattern bytes (seed {@code seed + row}), compressed with {@code codec}. */
    public static ArrowRecordBatch honest(BufferAllocator allocator, DType dtype, long[] shape, int rows, int seed,
                                          Codec codec) {
        long rowBytes = rowBytes(dtype, shape);
        ByteArrayOutputStream values = new ByteArrayOutputStream();
        for (int row = 0; row < rows; row++) {
            values.writeBytes(Patterns.bytes(dtype, rowBytes, seed + row));
        }
        byte[] raw = values.toByteArray();
        byte[] body = codec == Codec.NONE ? raw : withLength(raw.length, compress(codec, raw));
        return batch(allocator, rows, (long) rows * listSize(dtype, shape), body, codec);
    }

    /** A batch that declares {@code declaredRows} rows but carries the bytes of only {@code realRows}. */
    public static ArrowRecordBatch rowCountBomb(BufferAllocator allocator, DType dtype, long[] shape, int declaredRows,
                                                int realRows) {
        // The values' node is honest: Arrow's loader then grows the values to the declared rows itself.
        byte[] raw = new byte[Math.toIntExact(realRows * rowBytes(dtype, shape))];
        return batch(allocator, declaredRows, (long) realRows * listSize(dtype, shape), raw, Codec.NONE);
    }

    /**
     * A compressed batch of {@code rows} rows whose value buffer claims {@code claimedBytes} once
     * decompressed. Its frame holds {@code realZeroBytes} zero bytes (a few KiB compressed, however
     * many), or, when 0, the rows' own bytes.
     */
    public static ArrowRecordBatch decompressionBomb(BufferAllocator allocator, DType dtype, long[] shape, int rows,
                                                     Codec codec, long claimedBytes, long realZeroBytes) {
        byte[] frame = realZeroBytes > 0 ? compressedZeros(codec, realZeroBytes)
                : compress(codec, new byte[Math.toIntExact(rows * rowBytes(dtype, shape))]);
        return batch(allocator, rows, (long) rows * listSize(dtype, shape), withLength(claimedBytes, frame), codec);
    }

    /** A compressed batch whose value buffer has the right declared length and garbage for a frame. */
    public static ArrowRecordBatch corruptFrame(BufferAllocator allocator, DType dtype, long[] shape, int rows,
                                                Codec codec) {
        byte[] garbage = new byte[64];
        java.util.Arrays.fill(garbage, (byte) 0x5A);
        return batch(allocator, rows, (long) rows * listSize(dtype, shape),
                withLength(rows * rowBytes(dtype, shape), garbage), codec);
    }

    /** Writes the schema and the batches (closing them) as an IPC file ({@code fileFormat}) or stream. */
    public static void write(Path path, boolean fileFormat, Schema schema, List<ArrowRecordBatch> batches) {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            WriteChannel out = new WriteChannel(channel);
            if (fileFormat) {
                out.write(MAGIC);
                out.align();
            }
            MessageSerializer.serialize(out, schema, IpcOption.DEFAULT);
            List<ArrowBlock> blocks = new ArrayList<>();
            for (ArrowRecordBatch batch : batches) {
                try (batch) {
                    blocks.add(MessageSerializer.serialize(out, batch, IpcOption.DEFAULT));
                }
            }
            if (fileFormat) {
                out.writeIntLittleEndian(MessageSerializer.IPC_CONTINUATION_TOKEN);
                out.writeIntLittleEndian(0);
                long footerStart = out.getCurrentPosition();
                out.write(new ArrowFooter(schema, List.of(), blocks), false);
                out.writeIntLittleEndian((int) (out.getCurrentPosition() - footerStart));
                out.write(MAGIC);
            } else {
                ArrowStreamWriter.writeEndOfStream(out, IpcOption.DEFAULT);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What a damage sweep reports for one damaged copy; false stops the sweep. */
    @FunctionalInterface
    public interface DamageVisitor {
        boolean visit(int at, int value, TensorFileException failure) throws Exception;
    }

    /**
     * For every byte of {@code honest} from {@code from} on, changed in turn to 0x00, 0xFF and
     * 0x7F: writes that copy to {@code damaged}, reads it whole with {@link TensorFileReader} (an
     * allocator of 64 MiB) and hands {@code visitor} the failure, or null when it read.
     */
    public static void sweepSingleByteDamages(Path honest, Path damaged, int from, DamageVisitor visitor)
            throws Exception {
        byte[] bytes = java.nio.file.Files.readAllBytes(honest);
        for (int at = from; at < bytes.length; at++) {
            for (int value : new int[] {0x00, 0xFF, 0x7F}) {
                byte[] copy = bytes.clone();
                copy[at] = (byte) value;
                java.nio.file.Files.write(damaged, copy);
                TensorFileException failure = null;
                try (BufferAllocator allocator = new org.apache.arrow.memory.RootAllocator(64L << 20);
                     TensorFileReader reader = TensorFileReader.open(damaged, allocator)) {
                    reader.checkAllBatches();
                } catch (TensorFileException e) {
                    failure = e;
                }
                if (!visitor.visit(at, value, failure)) {
                    return;
                }
            }
        }
    }

    /** Bytes of one row of a stream of {@code dtype} and {@code shape}. */
    public static long rowBytes(DType dtype, long[] shape) {
        return (long) listSize(dtype, shape) * (dtype == DType.COMPLEX64 ? 4 : dtype == DType.COMPLEX128 ? 8
                : dtype.itemSize());
    }

    private static int listSize(DType dtype, long[] shape) {
        long n = 1;
        for (long dim : ArrowTensorTypes.tensorShape(dtype, shape)) {
            n *= dim;
        }
        return Math.toIntExact(n);
    }

    /** The tensor column's three buffers: the list's validity, the values' validity (both empty), the values. */
    private static ArrowRecordBatch batch(BufferAllocator allocator, int rows, long values, byte[] valueBuffer,
                                          Codec codec) {
        List<ArrowFieldNode> nodes = List.of(new ArrowFieldNode(rows, 0), new ArrowFieldNode(values, 0));
        ArrowBuf empty = allocator.getEmpty();
        try (ArrowBuf data = allocator.buffer(Math.max(1, valueBuffer.length))) {
            data.setBytes(0, valueBuffer);
            data.writerIndex(valueBuffer.length);
            if (codec == Codec.NONE) {
                return new ArrowRecordBatch(rows, nodes, List.of(empty, empty, data));
            }
            return new ArrowRecordBatch(rows, nodes, List.of(empty, empty, data), new ArrowBodyCompression(
                    codec == Codec.ZSTD ? CompressionType.ZSTD : CompressionType.LZ4_FRAME, BodyCompressionMethod.BUFFER));
        }
    }

    private static byte[] withLength(long uncompressed, byte[] frame) {
        ByteBuffer out = ByteBuffer.allocate(8 + frame.length).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(uncompressed).put(frame);
        return out.array();
    }

    private static byte[] compress(Codec codec, byte[] raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream compressing = compressor(codec, out)) {
            compressing.write(raw);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static byte[] compressedZeros(Codec codec, long zeros) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] chunk = new byte[ZERO_CHUNK];
        try (OutputStream compressing = compressor(codec, out)) {
            for (long left = zeros; left > 0; left -= chunk.length) {
                compressing.write(chunk, 0, (int) Math.min(chunk.length, left));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static OutputStream compressor(Codec codec, OutputStream out) throws IOException {
        switch (codec) {
            case ZSTD: return new ZstdOutputStream(out);
            case LZ4: return new FramedLZ4CompressorOutputStream(out);
            default: throw new IllegalArgumentException("no compressor for " + codec);
        }
    }
}

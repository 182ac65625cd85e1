package io.arrowshm.tensors;

import java.io.IOException;
import java.nio.channels.FileChannel;
import org.apache.arrow.compression.CommonsCompressionFactory;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.compression.CompressionUtil;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.ipc.message.ArrowDictionaryBatch;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Arrow Java's IPC readers with every batch checked by {@link RecordBatchCheck} between reading
 * it and loading it (the one moment its header is known and nothing has been allocated for its
 * rows), compressed batches decompressed by {@link BatchDecompression}, and dictionary batches
 * refused: the schema is checked as it is read, before Arrow Java would load the file format's
 * dictionaries. Failures are {@link BatchRejectedException}s.
 */
final class CheckedIpcReaders {
    private CheckedIpcReaders() {
    }

    /** A reader of {@code channel} from its current position; closing it with {@code close(false)} keeps the channel. */
    static ArrowReader open(FileChannel channel, boolean fileFormat, BufferAllocator allocator, IpcLimits limits) {
        return fileFormat ? new FileReader(channel, allocator, limits) : new StreamReader(channel, allocator, limits);
    }

    /** What both readers do to their schema and batches: one check, set from the schema as it is read. */
    private static final class Checks {
        private final IpcLimits limits;
        private RecordBatchCheck check;

        Checks(IpcLimits limits) {
            this.limits = limits;
        }

        Schema read(Schema schema) {
            check = RecordBatchCheck.of(schema, limits);
            return schema;
        }

        ArrowRecordBatch load(ArrowRecordBatch batch, BufferAllocator allocator) {
            return checked(check, batch, allocator);
        }
    }

    private static final class FileReader extends ArrowFileReader {
        private final Checks checks;

        FileReader(FileChannel channel, BufferAllocator allocator, IpcLimits limits) {
            super(channel, allocator, CommonsCompressionFactory.INSTANCE);
            this.checks = new Checks(limits);
        }

        @Override
        protected Schema readSchema() throws IOException {
            return checks.read(super.readSchema());
        }

        @Override
        protected void loadRecordBatch(ArrowRecordBatch batch) {
            super.loadRecordBatch(checks.load(batch, allocator));
        }

        @Override
        protected void loadDictionary(ArrowDictionaryBatch dictionaryBatch) {
            refuse(dictionaryBatch);
        }
    }

    private static final class StreamReader extends ArrowStreamReader {
        private final Checks checks;

        StreamReader(FileChannel channel, BufferAllocator allocator, IpcLimits limits) {
            super(channel, allocator, CommonsCompressionFactory.INSTANCE);
            this.checks = new Checks(limits);
        }

        @Override
        protected Schema readSchema() throws IOException {
            return checks.read(super.readSchema());
        }

        @Override
        protected void loadRecordBatch(ArrowRecordBatch batch) {
            super.loadRecordBatch(checks.load(batch, allocator));
        }

        @Override
        protected void loadDictionary(ArrowDictionaryBatch dictionaryBatch) {
            refuse(dictionaryBatch);
        }
    }

    /** The batch checked and, when compressed, decompressed by {@link BatchDecompression} (never Arrow's codecs). */
    private static ArrowRecordBatch checked(RecordBatchCheck check, ArrowRecordBatch batch, BufferAllocator allocator) {
        // loadRecordBatch owns the batch: closed here unless it is the one passed on.
        try {
            check.check(batch);
            if (batch.getBodyCompression().getCodec() == CompressionUtil.CodecType.NO_COMPRESSION.getType()) {
                return batch;
            }
            ArrowRecordBatch plain = BatchDecompression.decompress(batch, allocator);
            batch.close();
            return plain;
        } catch (RuntimeException | Error e) {
            batch.close();
            throw e;
        }
    }

    private static void refuse(ArrowDictionaryBatch dictionaryBatch) {
        dictionaryBatch.close();
        throw new BatchRejectedException("a dictionary batch; a tensor input has none", false);
    }
}

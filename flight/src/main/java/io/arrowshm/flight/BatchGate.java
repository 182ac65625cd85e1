package io.arrowshm.flight;

import io.arrowshm.tensors.BatchDecompression;
import io.arrowshm.tensors.BatchRejectedException;
import io.arrowshm.tensors.IpcLimits;
import io.arrowshm.tensors.RecordBatchCheck;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;

/**
 * The check one Flight call's messages pass on their way from gRPC to Flight's {@code FlightStream},
 * whose loader believes every header: the schema sets the limits (rows from the frame size, see
 * {@link RecordBatchCheck}), each record batch is checked from its header and, when compressed,
 * decompressed once into a scratch allocator (so Flight's own decompression can neither exceed
 * the declared lengths nor fail half way and leak), dictionary batches are refused. Used by
 * {@link PutGate} on the server and {@link MirrorGate} in the mirror. One instance per call.
 */
final class BatchGate {
    /** Why a message was refused: a limit (the sender may be honest but too big) or a lie. */
    record Refusal(String reason, boolean overLimit) {
    }

    /** A message's header and padding, on top of its batch. */
    private static final long MESSAGE_OVERHEAD = 1 << 20;

    private final IpcLimits limits;
    private final BufferAllocator scratch;
    private RecordBatchCheck check;

    /** The longest gRPC message that can carry a batch of {@code decodedBatchBytes}. */
    static long messageBytes(long decodedBatchBytes) {
        return decodedBatchBytes > Long.MAX_VALUE - MESSAGE_OVERHEAD ? Long.MAX_VALUE : decodedBatchBytes + MESSAGE_OVERHEAD;
    }

    BatchGate(IpcLimits limits, BufferAllocator scratch) {
        this.limits = limits;
        this.scratch = scratch;
    }

    /** Null when {@code message} may go on to Flight; otherwise why not (the caller frees it, or passes a schema on). */
    Refusal inspect(Object message) {
        if (!ArrowMessages.isMessage(message)) {
            return null;
        }
        try {
            switch (ArrowMessages.kind(message)) {
                case NONE:
                    return null; // a descriptor or application metadata alone: bounded by the message size
                case SCHEMA:
                    check = RecordBatchCheck.of(ArrowMessages.schema(message), limits);
                    return null;
                case RECORD_BATCH:
                    if (check == null) {
                        return new Refusal("a record batch came before the schema", false);
                    }
                    try (ArrowRecordBatch batch = ArrowMessages.recordBatch(message)) {
                        check.check(batch);
                        BatchDecompression.verify(batch, scratch);
                    }
                    return null;
                case DICTIONARY_BATCH:
                    return new Refusal("a dictionary batch; a tensor stream has none", false);
                default:
                    return new Refusal("a message of a kind Flight streams of tensors do not carry", false);
            }
        } catch (BatchRejectedException e) {
            return new Refusal(e.getMessage(), e.overLimit());
        } catch (org.apache.arrow.memory.OutOfMemoryException e) {
            return new Refusal("no memory left to check a compressed batch (" + e.getMessage() + ")", true);
        } catch (RuntimeException e) {
            // A header Arrow cannot even decode (a buffer outside the body, a damaged flatbuffer).
            return new Refusal("a malformed message (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")", false);
        }
    }
}

package io.arrowshm.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.TensorInfo;
import io.arrowshm.DType;
import io.arrowshm.ReadOnlyStreamException;
import io.arrowshm.SharedMemory;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import org.apache.arrow.memory.ArrowBuf;

/**
 * ONNX Runtime tensors over arrow-shm streams without a copy, and model outputs published into
 * streams.
 *
 * <pre>{@code
 * OnnxRunner runner = OnnxRunner.of(session);
 * float[] scores = OnnxStreams.readZeroCopy(env, frames, x -> {     // x: the stream's memory itself
 *     try (OrtSession.Result r = runner.run(Map.of("frame", x))) {
 *         return ((float[][]) r.get(0).getValue())[0];              // keep results, never x
 *     }
 * });
 * }</pre>
 *
 * <p>The tensors are input-only: the memory is what the stream's writers publish, so
 * {@link OnnxRunner#runInto} refuses to write outputs into it. To publish a model's output
 * straight into a stream use {@link StreamInference}, or copy ONNX Runtime's output with
 * {@link #write}.
 *
 * <p>ONNX Runtime's native code cannot survive a fault on unbacked memory: a segment truncated
 * by another process during a run takes the JVM down with SIGBUS. Every tensor's creation and
 * every {@link #readZeroCopy} run check first ({@link SharedMemory#checkBacked()}) and raise
 * {@code SharedMemoryException} instead; a truncation during the native call itself cannot be
 * caught. Read-only handles are refused (as {@code readZeroCopy} and {@code buffer()} refuse them).
 */
public final class OnnxStreams {
    private OnnxStreams() {
    }

    /**
     * An input-only tensor over the stream's payload (its shape, the ONNX twin of its dtype, no
     * copy), valid until closed: the tensor holds its own reference to the mapping, so closing or
     * unlinking the handle never unmaps memory the tensor can reach. It is the live memory: use it
     * inside {@link #readZeroCopy(SharedMemory, LeasedTensor, TensorFunction)} (consistent, retried when a
     * write overlaps) or while holding {@code shm.locked()}. Made once, it serves every frame.
     *
     * @throws ReadOnlyStreamException for a read-only handle
     * @throws UnsupportedOperationException for a dtype ONNX Runtime's Java API lacks
     * @throws IllegalArgumentException for a frame over {@link LeasedTensor#MAX_BYTES}
     */
    public static LeasedTensor tensor(OrtEnvironment env, SharedMemory shm) {
        return payloadTensor(env, shm, false);
    }

    /** A tensor over the stream's payload with its own view; {@code outputAllowed} only for a stream we publish. */
    static LeasedTensor payloadTensor(OrtEnvironment env, SharedMemory shm, boolean outputAllowed) {
        String origin = "stream '" + shm.name() + "'";
        try {
            OnnxTypes.javaType(shm.dtype()); // refuse the dtype and the size before touching the stream
        } catch (UnsupportedOperationException e) {
            throw new UnsupportedOperationException(origin + " holds " + shm.dtype().numpyName() + ": "
                    + e.getMessage(), e);
        }
        LeasedTensor.requireWrappable(shm.dtype(), shm.shape(), origin);
        MemoryLease lease = MemoryLease.of(shm.buffer(), origin);
        try {
            shm.checkBacked(); // ORT's native code cannot survive a SIGBUS: refuse a truncated segment up front
        } catch (RuntimeException e) {
            lease.close();
            throw e;
        }
        return LeasedTensor.over(env, lease, shm.dtype(), shm.shape(), outputAllowed);
    }

    /**
     * Runs {@code reader} on a tensor over the latest publication inside the stream's seqlock, and
     * returns its result when no write overlapped it; otherwise runs it again (see
     * {@link SharedMemory#readZeroCopy}). Nothing is copied. The tensor is valid for this call only:
     * closed when it returns, after which any run on it fails with {@link IllegalStateException}.
     * Return values, not the tensor.
     */
    public static <R> R readZeroCopy(OrtEnvironment env, SharedMemory shm, TensorFunction<R> reader) {
        try (LeasedTensor tensor = tensor(env, shm)) {
            return readZeroCopy(shm, tensor, reader);
        }
    }

    /**
     * {@link #readZeroCopy(OrtEnvironment, SharedMemory, TensorFunction)} on a tensor the caller holds
     * (from {@link #tensor}), which saves making one per frame.
     *
     * <pre>{@code
     * LeasedTensor x = OnnxStreams.tensor(env, frames);          // once
     * while (running) {
     *     float[] y = OnnxStreams.readZeroCopy(frames, x, t -> infer(runner, t));
     * }
     * }</pre>
     *
     * @throws IllegalArgumentException when {@code tensor} is not over {@code shm}'s payload
     */
    public static <R> R readZeroCopy(SharedMemory shm, LeasedTensor tensor, TensorFunction<R> reader) {
        return shm.readZeroCopy(view -> run(shm, tensor, view, reader));
    }

    /**
     * {@link #readZeroCopy(SharedMemory, LeasedTensor, TensorFunction)} that gives up at {@code timeout},
     * while a write is running or writes keep overlapping the function.
     *
     * @throws io.arrowshm.StreamTimeoutException when no run was consistent in time
     */
    public static <R> R readZeroCopy(SharedMemory shm, LeasedTensor tensor, TensorFunction<R> reader,
                                     Duration timeout) {
        return shm.readZeroCopy(view -> run(shm, tensor, view, reader), timeout);
    }

    private static <R> R run(SharedMemory shm, LeasedTensor tensor, ArrowBuf view, TensorFunction<R> reader) {
        requireOver(shm, tensor, view);
        shm.checkBacked(); // each run hands the mapping to native code again
        try {
            return reader.apply(tensor);
        } catch (OrtException e) {
            throw new InferenceException("ONNX Runtime failed on " + tensor + ": " + e.getMessage(), e);
        }
    }

    /**
     * Publishes an output ONNX Runtime allocated (from {@link OnnxRunner#run}) into {@code out}:
     * one copy out of ONNX Runtime and one into the stream, with the stream's write protocol.
     *
     * @throws IllegalArgumentException when the value is not a tensor of the stream's dtype and shape
     */
    public static void write(SharedMemory out, OnnxValue value) {
        out.write(bytesOf("stream '" + out.name() + "'", out.dtype(), out.shape(), value));
    }

    /** {@link #write(SharedMemory, OnnxValue)} stamping {@code frameId} on the publication. */
    public static void write(SharedMemory out, OnnxValue value, long frameId) {
        out.write(bytesOf("stream '" + out.name() + "'", out.dtype(), out.shape(), value), frameId);
    }

    /**
     * ONNX Runtime's copy of a model output, checked to be a tensor of {@code dtype} and
     * {@code shape}, for writing into {@code target} (a stream or a ring).
     */
    static ByteBuffer bytesOf(String target, DType dtype, long[] shape, OnnxValue value) {
        if (!(value instanceof OnnxTensor tensor)) {
            throw new IllegalArgumentException("only a tensor can be written to " + target + ", not "
                    + (value == null ? "null" : value.getInfo()));
        }
        TensorInfo info = tensor.getInfo();
        if (info.onnxType != TensorInfo.OnnxTensorType.mapFromJavaType(OnnxTypes.javaType(dtype))
                || !Arrays.equals(info.getShape(), shape)) {
            throw new IllegalArgumentException("cannot write a " + info.onnxType + " " + Arrays.toString(info.getShape())
                    + " tensor to " + target + ", which holds " + dtype.numpyName() + " "
                    + Arrays.toString(shape) + "; create it with the model output's type and shape");
        }
        return tensor.getByteBuffer(); // a copy; IllegalStateException when the value was closed
    }

    /** The seqlock guards the mapping's bytes only: a tensor over any other memory would get no consistency. */
    private static void requireOver(SharedMemory shm, LeasedTensor tensor, ArrowBuf view) {
        if (tensor.address() != view.memoryAddress() || tensor.dtype() != shm.dtype()
                || !Arrays.equals(tensor.shape(), shm.shape())) {
            throw new IllegalArgumentException(tensor + " is not a tensor over stream '" + shm.name()
                    + "'; pass the tensor OnnxStreams.tensor(env, shm) returned, or use readZeroCopy(env, shm, reader)");
        }
    }
}

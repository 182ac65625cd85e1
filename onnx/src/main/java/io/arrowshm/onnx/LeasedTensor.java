package io.arrowshm.onnx;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import io.arrowshm.DType;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;
import java.util.stream.Collectors;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.util.MemoryUtil;

/**
 * An ONNX Runtime tensor over leased memory, without a copy: ONNX Runtime reads (or, as a model
 * output, writes) the lease's bytes themselves. It is valid exactly as long as it is open; closing
 * it releases ONNX Runtime's tensor and then the lease, so the memory can go.
 *
 * <p><b>Why ONNX Runtime's own {@code OnnxTensor} is never handed out.</b> ONNX Runtime keeps a
 * raw pointer to the memory, and {@code OrtSession.run} does not check whether a tensor was
 * closed: a tensor used after its memory or its native value is gone takes the JVM down (SIGSEGV
 * in libonnxruntime). So the ORT tensor stays inside this object and models run through
 * {@link OnnxRunner}, which refuses a closed tensor with {@link IllegalStateException} and keeps
 * a tensor alive while a run uses it: a {@code close()} racing a run takes effect when that run
 * ends. Nothing a caller can do with this class crashes the JVM.
 *
 * <pre>{@code
 * try (LeasedTensor x = OnnxStreams.tensor(env, frames)) {       // over the stream's memory
 *     System.out.println(x.address() == x.memoryAddress());     // true: ORT's buffer is the mapping
 *     float score = OnnxStreams.readZeroCopy(frames, x, t -> {  // consistent, no copy
 *         try (OrtSession.Result r = runner.run(Map.of("frame", t))) {
 *             return ((float[][]) r.get(0).getValue())[0][0];
 *         }
 *     });
 * }
 * }</pre>
 */
public final class LeasedTensor implements AutoCloseable {
    /**
     * The largest tensor ONNX Runtime's Java API wraps: its buffers are int-indexed, and it
     * refuses the last 8 bytes below {@code Integer.MAX_VALUE}.
     */
    public static final long MAX_BYTES = Integer.MAX_VALUE - 8;

    private final OnnxTensor tensor;
    private final MemoryLease lease;
    private final DType dtype;
    private final long[] shape;
    private final boolean outputAllowed;
    private final long address;
    private final TensorUses uses = new TensorUses();

    private LeasedTensor(OnnxTensor tensor, MemoryLease lease, DType dtype, long[] shape, boolean outputAllowed,
                         long address) {
        this.tensor = tensor;
        this.lease = lease;
        this.dtype = dtype;
        this.shape = shape;
        this.outputAllowed = outputAllowed;
        this.address = address;
    }

    /**
     * A tensor of {@code dtype} and {@code shape} (C order) over the first bytes of
     * {@code lease}'s memory, which it may read and, as a model output, write. The tensor owns the
     * lease from now on, also when this call fails: it closes it when it is released.
     *
     * @throws IllegalArgumentException when the shape is negative, needs more bytes than the lease
     *         holds, or more than {@link #MAX_BYTES}
     * @throws UnsupportedOperationException for a dtype ONNX Runtime's Java API lacks ({@link OnnxTypes})
     * @throws InferenceException when ONNX Runtime refuses to make the tensor
     */
    public static LeasedTensor over(OrtEnvironment env, MemoryLease lease, DType dtype, long... shape) {
        return over(env, lease, dtype, shape, true);
    }

    /** {@link #over} for the package: input-only tensors over memory others publish (a stream being read). */
    static LeasedTensor over(OrtEnvironment env, MemoryLease lease, DType dtype, long[] shape, boolean outputAllowed) {
        Objects.requireNonNull(lease, "lease");
        try {
            Objects.requireNonNull(env, "env");
            Objects.requireNonNull(dtype, "dtype");
            long[] dims = shape.clone();
            OnnxJavaType type = OnnxTypes.javaType(dtype);
            long bytes = requireFits(lease, dtype, dims);
            ArrowBuf memory = lease.memory();
            ByteBuffer direct = MemoryUtil.directBuffer(memory.memoryAddress(), (int) bytes).order(ByteOrder.nativeOrder());
            OnnxTensor tensor = OnnxTensor.createTensor(env, direct, dims, type);
            long address = wrappedAddress(tensor);
            if (tensor.ownsBuffer() || address != memory.memoryAddress()) {
                tensor.close();
                throw new UnsupportedOperationException("ONNX Runtime copied " + lease.origin() + " instead of wrapping"
                        + " it, so the tensor would not see the memory; this ONNX Runtime build does not wrap direct"
                        + " buffers");
            }
            return new LeasedTensor(tensor, lease, dtype, dims, outputAllowed, address);
        } catch (OrtException e) {
            lease.close();
            throw new InferenceException("ONNX Runtime cannot make a " + dtype + " " + Arrays.toString(shape)
                    + " tensor over " + lease.origin() + ": " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            lease.close();
            throw e;
        }
    }

    private static long requireFits(MemoryLease lease, DType dtype, long[] shape) {
        long bytes = requireWrappable(dtype, shape, lease.origin());
        long capacity = lease.memory().capacity();
        if (bytes > capacity) {
            throw new IllegalArgumentException("a " + dtype.numpyName() + " " + Arrays.toString(shape) + " tensor needs "
                    + bytes + " bytes but " + lease.origin() + " holds " + capacity + "; give the memory's own shape");
        }
        return bytes;
    }

    /**
     * The bytes of a {@code dtype} tensor of {@code shape}, checked before any memory is touched.
     *
     * @throws IllegalArgumentException for a negative dimension, or more than {@link #MAX_BYTES}
     */
    static long requireWrappable(DType dtype, long[] shape, String origin) {
        for (long dim : shape) {
            if (dim < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape) + " for "
                        + origin);
            }
        }
        long bytes = dtype.itemSize();
        try {
            for (long dim : shape) {
                bytes = Math.multiplyExact(bytes, dim);
            }
        } catch (ArithmeticException e) {
            bytes = Long.MAX_VALUE;
        }
        if (bytes > MAX_BYTES) {
            throw new IllegalArgumentException("a " + dtype.numpyName() + " " + Arrays.toString(shape) + " tensor over "
                    + origin + " is larger than the " + MAX_BYTES + " bytes ONNX Runtime's Java API can wrap (its"
                    + " buffers are int-indexed); split the frame into smaller streams or ring slots");
        }
        return bytes;
    }

    /** The address of the buffer ONNX Runtime's tensor holds (its first element). */
    private static long wrappedAddress(OnnxTensor tensor) {
        Buffer buffer = tensor.getBufferRef().orElse(null);
        if (!(buffer instanceof ByteBuffer bytes) || !bytes.isDirect()) {
            return 0;
        }
        return MemoryUtil.getByteBufferAddress(bytes) + bytes.position();
    }

    /** The element type. */
    public DType dtype() {
        return dtype;
    }

    /** The shape (a copy). */
    public long[] shape() {
        return shape.clone();
    }

    /** Where the memory comes from, as the lease names it. */
    public String origin() {
        return lease.origin();
    }

    /**
     * The address of the first element in the buffer ONNX Runtime's tensor wraps, as ONNX Runtime
     * reports it. It equals {@link #memoryAddress()}: the proof that nothing was copied.
     */
    public long address() {
        return address;
    }

    /** The address of the leased memory (its {@code ArrowBuf.memoryAddress()}). */
    public long memoryAddress() {
        return lease.memory().memoryAddress();
    }

    /** Whether the tensor still accepts runs (false once {@link #close()} was called). */
    public boolean isOpen() {
        return !uses.isClosed();
    }

    /** Whether {@link OnnxRunner#runInto} may write model outputs into this tensor's memory. */
    public boolean outputAllowed() {
        return outputAllowed;
    }

    /**
     * Refuses further runs, and releases ONNX Runtime's tensor and then the lease as soon as no run
     * uses them (at once when none does). Closing twice, or from another thread, is harmless.
     */
    @Override
    public void close() {
        if (uses.close()) {
            release();
        }
    }

    /** ONNX Runtime's tensor for one run; every successful call is paired with {@link #exit()}. */
    OnnxTensor enter(String purpose) {
        if (!uses.enter()) {
            throw new IllegalStateException("cannot " + purpose + " a closed tensor over " + lease.origin()
                    + ": it was valid only until its lease ended (the readZeroCopy call or try block that held it);"
                    + " make a new one for this frame (OnnxStreams.tensor, OnnxRings.tensor or readZeroCopy)");
        }
        return tensor;
    }

    /**
     * Runs {@code use} on the tensor's memory (a model output's, say), keeping it alive meanwhile:
     * a concurrent {@code close()} takes effect when {@code use} returns.
     */
    void useMemory(String purpose, java.util.function.Consumer<ArrowBuf> use) {
        enter(purpose);
        try {
            use.accept(lease.memory());
        } finally {
            exit();
        }
    }

    void exit() {
        if (uses.exit()) {
            release();
        }
    }

    private void release() {
        try {
            if (!tensor.isClosed()) {
                tensor.close(); // ORT logs a warning for a second close, so never give it one
            }
        } finally {
            lease.close();
        }
    }

    @Override
    public String toString() {
        return "LeasedTensor[" + dtype.numpyName() + " " + Arrays.stream(shape).mapToObj(Long::toString)
                .collect(Collectors.joining(", ", "(", ")")) + " over " + lease.origin()
                + (isOpen() ? "]" : ", closed]");
    }
}

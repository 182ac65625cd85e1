package io.arrowshm.gpu;

import io.arrowshm.gpu.InvalidGpuHandleException.Kind;
import io.arrowshm.gpu.internal.pickle.PickleMachine;
import io.arrowshm.gpu.internal.pickle.PickleValue;
import java.nio.ByteBuffer;

/**
 * Reads the torch CUDA IPC pickle that pyshmem writes to a GPU stream's {@code _gpu}
 * segment: {@code pickle.dumps((rebuild_cuda_tensor, args), protocol=4)} with torch's
 * 15-tuple {@code args} (spec §6). It is a pure-Java, allowlisting reader: only the opcodes
 * of spec §6.4 are interpreted, only the globals of spec §6.3 may be named, and nothing is
 * ever executed; anything else is an {@link InvalidGpuHandleException}.
 *
 * <pre>{@code
 * byte[] segment = Files.readAllBytes(Path.of("/dev/shm/ps_e7d679448a726d_gpu"));
 * TorchCudaHandle h = TorchIpcPickle.parse(ByteBuffer.wrap(segment));
 * h.requireMatches("frames", DType.FLOAT32, new long[] {2, 3}, 0);
 * }</pre>
 */
public final class TorchIpcPickle {
    /** Arity of torch's {@code rebuild_cuda_tensor} arguments. */
    public static final int ARG_COUNT = 15;

    /** Argument names, by position, as torch's {@code reduce_tensor} documents them. */
    private static final String[] ARG_NAMES = {
        "tensor_cls", "tensor_size", "tensor_stride", "tensor_offset", "storage_cls", "dtype",
        "storage_device", "storage_handle", "storage_size_bytes", "storage_offset_bytes", "requires_grad",
        "ref_counter_handle", "ref_counter_offset", "event_handle", "event_sync_required",
    };

    private TorchIpcPickle() {
    }

    /**
     * Parses the pickle from {@code segment}'s position; bytes after STOP are ignored, as
     * pyshmem ignores them. {@code segment}'s position is not moved.
     *
     * @throws InvalidGpuHandleException for any opcode, global, structure or geometry that
     *     is not torch's CUDA reduction of a contiguous tensor
     */
    public static TorchCudaHandle parse(ByteBuffer segment) {
        PickleValue top = new PickleMachine(TorchGlobals.INSTANCE).run(segment);
        PickleValue.Tuple pair = tuple(top, 2, "the payload (rebuild_fn, rebuild_args)");
        global(pair.get(0), TorchGlobals.REDUCTIONS, TorchGlobals.REBUILD_CUDA_TENSOR, "rebuild_fn");
        PickleValue.Tuple args = tuple(pair.get(1), ARG_COUNT, "rebuild_cuda_tensor's arguments");

        global(args.get(0), TorchGlobals.TORCH, TorchGlobals.TENSOR, argName(0));
        long[] shape = torchSize(args.get(1));
        long[] stride = ints(tuple(args.get(2), -1, argName(2)), argName(2));
        long tensorOffset = integer(args, 3);
        String storageClass = storageClass(args.get(4));
        TorchDTypes.Info dtype = dtype(args.get(5));
        long device = integer(args, 6);
        CudaIpcHandle storageHandle = CudaIpcHandle.parse(bytes(args, 7));
        long storageSize = integer(args, 8);
        long storageOffset = integer(args, 9);
        boolean requiresGrad = bool(args, 10);
        byte[] refCounterHandle = bytes(args, 11);
        long refCounterOffset = integer(args, 12);
        byte[] eventHandle = bytes(args, 13);
        boolean eventSyncRequired = bool(args, 14);
        if (device < 0 || device > Integer.MAX_VALUE) {
            throw new InvalidGpuHandleException(Kind.GEOMETRY_MISMATCH, "storage_device " + device
                    + " is not a CUDA ordinal; the _gpu segment is damaged: recreate the stream");
        }
        return new TorchCudaHandle(shape, stride, tensorOffset, storageClass, dtype.canonicalName(),
                dtype.itemSize(), (int) device, storageHandle, storageSize, storageOffset, requiresGrad,
                refCounterHandle, refCounterOffset, eventHandle, eventSyncRequired);
    }

    private static String argName(int index) {
        return "argument " + index + " (" + ARG_NAMES[index] + ")";
    }

    private static InvalidGpuHandleException wrong(String what, String expected, PickleValue got) {
        return new InvalidGpuHandleException(Kind.WRONG_STRUCTURE, what + " must be " + expected + ", got "
                + got.describe() + "; the _gpu segment is not torch's CUDA tensor reduction:"
                + " recreate the stream, or open it CPU-only through its mirror");
    }

    /** A tuple of exactly {@code size} items, or of any size when {@code size} is -1. */
    private static PickleValue.Tuple tuple(PickleValue value, int size, String what) {
        if (!(value instanceof PickleValue.Tuple t) || (size >= 0 && t.size() != size)) {
            throw wrong(what, size >= 0 ? "a " + size + "-tuple" : "a tuple", value);
        }
        return t;
    }

    private static void global(PickleValue value, String module, String name, String what) {
        if (!(value instanceof PickleValue.Global g) || !g.module().equals(module) || !g.name().equals(name)) {
            throw wrong(what, "the global " + module + "." + name, value);
        }
    }

    private static long[] torchSize(PickleValue value) {
        String what = argName(1);
        if (!(value instanceof PickleValue.Reduced r) || !r.callable().module().equals(TorchGlobals.TORCH)
                || !r.callable().name().equals(TorchGlobals.SIZE)) {
            throw wrong(what, "torch.Size(...)", value);
        }
        PickleValue.Tuple sizeArgs = tuple(r.args(), 1, "torch.Size's arguments");
        return ints(tuple(sizeArgs.get(0), -1, what), what);
    }

    private static long[] ints(PickleValue.Tuple tuple, String what) {
        long[] out = new long[tuple.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(tuple.get(i) instanceof PickleValue.Int n)) {
                throw wrong(what + " item " + i, "an int", tuple.get(i));
            }
            out[i] = n.value();
        }
        return out;
    }

    private static String storageClass(PickleValue value) {
        if (value instanceof PickleValue.Global g && g.module().equals(TorchGlobals.STORAGE)
                && (g.name().equals(TorchGlobals.TYPED_STORAGE) || g.name().equals(TorchGlobals.LEGACY_TYPED_STORAGE))) {
            return g.qualifiedName();
        }
        throw wrong(argName(4), "torch.storage.TypedStorage or torch.storage._TypedStorage", value);
    }

    private static TorchDTypes.Info dtype(PickleValue value) {
        if (value instanceof PickleValue.Global g && g.module().equals(TorchGlobals.TORCH)) {
            var info = TorchDTypes.byName(g.name());
            if (info.isPresent()) {
                return info.get();
            }
        }
        throw wrong(argName(5), "a torch dtype global such as torch.float32", value);
    }

    private static long integer(PickleValue.Tuple args, int index) {
        if (args.get(index) instanceof PickleValue.Int n) {
            return n.value();
        }
        throw wrong(argName(index), "an int", args.get(index));
    }

    private static byte[] bytes(PickleValue.Tuple args, int index) {
        if (args.get(index) instanceof PickleValue.Bytes b) {
            return b.value();
        }
        throw wrong(argName(index), "bytes", args.get(index));
    }

    private static boolean bool(PickleValue.Tuple args, int index) {
        if (args.get(index) instanceof PickleValue.Bool b) {
            return b.value();
        }
        throw wrong(argName(index), "a bool", args.get(index));
    }
}

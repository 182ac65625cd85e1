package io.arrowshm.gpu;

import io.arrowshm.gpu.InvalidGpuHandleException.Kind;
import java.util.HexFormat;

/**
 * torch's {@code storage_handle} (spec §6.2): which {@code cudaMalloc} block holds the
 * storage, as {@code [version][type][payload]} from {@code CUDACachingAllocator::shareIpcHandle},
 * or, from older torch, the bare 64-byte {@code cudaIpcMemHandle_t}.
 *
 * <pre>{@code
 * CudaIpcHandle h = CudaIpcHandle.parse(storageHandleBytes);
 * byte[] forCuIpcOpenMemHandle = h.memHandle();   // 64 bytes, handle of the block base
 * }</pre>
 *
 * @param version the prefix's {@code SHAREABLE_HANDLE_VERSION} (1, 2 or 3), or
 *     {@link #LEGACY_VERSION} for the unprefixed form
 * @param memHandle the 64-byte {@code cudaIpcMemHandle_t} of the block base
 */
public record CudaIpcHandle(int version, byte[] memHandle) {
    /** Bytes of a {@code cudaIpcMemHandle_t} (and of a {@code cudaIpcEventHandle_t}). */
    public static final int IPC_HANDLE_SIZE = 64;
    /** {@link #version()} of a bare 64-byte handle with no prefix (older torch). */
    public static final int LEGACY_VERSION = 0;
    /** Lowest prefixed version understood. */
    public static final int MIN_VERSION = 1;
    /** Highest prefixed version understood (torch 2.13, per a compatibility shim; spec §6.2). */
    public static final int MAX_VERSION = 3;
    /** Type byte of a plain cudaMalloc block; the only type that carries a cudaIpcMemHandle_t. */
    public static final byte TYPE_CUDA_MALLOC = 'c';
    /** Type byte of an expandable segment, whose payload is not an IPC handle. */
    public static final byte TYPE_EXPANDABLE_SEGMENT = 'e';
    /** Bytes of a prefixed type-'c' handle: version, type, handle. */
    public static final int PREFIXED_SIZE = 2 + IPC_HANDLE_SIZE;

    public CudaIpcHandle {
        if (memHandle.length != IPC_HANDLE_SIZE) {
            throw new IllegalArgumentException("a cudaIpcMemHandle_t is " + IPC_HANDLE_SIZE + " bytes, got "
                    + memHandle.length);
        }
        memHandle = memHandle.clone();
    }

    @Override
    public byte[] memHandle() {
        return memHandle.clone();
    }

    /** Whether this came without the version/type prefix. */
    public boolean legacy() {
        return version == LEGACY_VERSION;
    }

    /**
     * Parses torch's storage handle bytes.
     *
     * @throws InvalidGpuHandleException {@link Kind#UNSUPPORTED_HANDLE} for an expandable
     *     segment, an unknown type or version; {@link Kind#WRONG_STRUCTURE} for a wrong length
     */
    public static CudaIpcHandle parse(byte[] storageHandle) {
        if (storageHandle.length == IPC_HANDLE_SIZE) {
            return new CudaIpcHandle(LEGACY_VERSION, storageHandle);
        }
        if (storageHandle.length < 2) {
            throw new InvalidGpuHandleException(Kind.WRONG_STRUCTURE, "storage handle is " + storageHandle.length
                    + " bytes; torch writes 66 ([version]['c'][64-byte cudaIpcMemHandle_t]) or, before the"
                    + " prefix, 64; recreate the stream with a supported torch");
        }
        int version = Byte.toUnsignedInt(storageHandle[0]);
        byte type = storageHandle[1];
        if (type == TYPE_EXPANDABLE_SEGMENT) {
            throw new InvalidGpuHandleException(Kind.UNSUPPORTED_HANDLE, "storage handle is an expandable"
                    + " segment (type 'e'), which arrow-shm cannot map; start the producer with"
                    + " PYTORCH_CUDA_ALLOC_CONF=expandable_segments:False, or open the stream through its CPU mirror");
        }
        if (type != TYPE_CUDA_MALLOC) {
            throw new InvalidGpuHandleException(Kind.UNSUPPORTED_HANDLE, "storage handle has type 0x"
                    + HexFormat.of().toHexDigits(type) + "; only 'c' (a cudaMalloc block) is understood;"
                    + " open the stream through its CPU mirror");
        }
        if (version < MIN_VERSION || version > MAX_VERSION) {
            throw new InvalidGpuHandleException(Kind.UNSUPPORTED_HANDLE, "storage handle version " + version
                    + " is not understood (known: " + MIN_VERSION + ".." + MAX_VERSION + " and the unprefixed"
                    + " legacy form); upgrade arrow-shm, or open the stream through its CPU mirror");
        }
        if (storageHandle.length != PREFIXED_SIZE) {
            throw new InvalidGpuHandleException(Kind.WRONG_STRUCTURE, "type-'c' storage handle is "
                    + storageHandle.length + " bytes, expected " + PREFIXED_SIZE
                    + "; recreate the stream with a supported torch");
        }
        byte[] handle = new byte[IPC_HANDLE_SIZE];
        System.arraycopy(storageHandle, 2, handle, 0, IPC_HANDLE_SIZE);
        return new CudaIpcHandle(version, handle);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof CudaIpcHandle h && h.version == version && java.util.Arrays.equals(h.memHandle, memHandle);
    }

    @Override
    public int hashCode() {
        return 31 * version + java.util.Arrays.hashCode(memHandle);
    }

    @Override
    public String toString() {
        return "CudaIpcHandle[version=" + (legacy() ? "legacy" : version) + ", memHandle="
                + HexFormat.of().formatHex(memHandle, 0, 8) + "...]";
    }
}

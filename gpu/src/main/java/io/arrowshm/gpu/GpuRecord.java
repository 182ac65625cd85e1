package io.arrowshm.gpu;

import static io.arrowshm.gpu.GpuRecordLayout.*;

import io.arrowshm.DType;
import io.arrowshm.gpu.InvalidGpuHandleException.Kind;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.zip.CRC32;

/**
 * arrow-shm's own {@code _gpu} segment content for GPU streams created from Java: one
 * device allocation exported with {@code cuIpcGetMemHandle}, laid out by
 * {@link GpuRecordLayout} (see there for why this is not torch's pickle).
 *
 * <pre>{@code
 * GpuRecord record = GpuRecord.forPayload(0, DType.FLOAT32, new long[] {2, 3}, ipcHandle, ProcessHandle.current().pid());
 * byte[] segment = record.encode();               // 272 bytes for the _gpu segment
 * GpuRecord back = GpuRecord.decode(ByteBuffer.wrap(segment));
 * }</pre>
 *
 * @param deviceIndex CUDA ordinal of the allocation
 * @param allocationSizeBytes bytes allocated, a multiple of {@link GpuRecordLayout#ALLOCATION_GRANULARITY}
 * @param payloadOffsetBytes offset of the payload from the allocation base
 * @param dtype element type
 * @param shape dimensions, 1..19 of them, each above 0
 * @param ipcMemHandle the 64-byte {@code cudaIpcMemHandle_t} of the allocation base
 * @param creatorPid the exporting process, whose exit invalidates the handle
 */
public record GpuRecord(
        int deviceIndex,
        long allocationSizeBytes,
        long payloadOffsetBytes,
        DType dtype,
        long[] shape,
        byte[] ipcMemHandle,
        long creatorPid) implements GpuHandle {

    /** @throws IllegalArgumentException naming the first field that is out of range */
    public GpuRecord {
        shape = shape.clone();
        ipcMemHandle = ipcMemHandle.clone();
        String problem = problem(deviceIndex, allocationSizeBytes, payloadOffsetBytes, dtype, shape, ipcMemHandle,
                creatorPid);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }

    /** A record for a fresh allocation of {@link #allocationSizeFor} the payload, payload at offset 0. */
    public static GpuRecord forPayload(int deviceIndex, DType dtype, long[] shape, byte[] ipcMemHandle, long creatorPid) {
        long payload = Geometry.byteSize(shape, dtype.itemSize(), Kind.GEOMETRY_MISMATCH);
        return new GpuRecord(deviceIndex, allocationSizeFor(payload), 0, dtype, shape, ipcMemHandle, creatorPid);
    }

    /** {@code payloadBytes} rounded up to the 2 MiB allocation granularity (at least one granule). */
    public static long allocationSizeFor(long payloadBytes) {
        if (payloadBytes <= 0 || payloadBytes > Long.MAX_VALUE - ALLOCATION_GRANULARITY) {
            throw new IllegalArgumentException("payload of " + payloadBytes + " bytes cannot be allocated");
        }
        return (payloadBytes + ALLOCATION_GRANULARITY - 1) / ALLOCATION_GRANULARITY * ALLOCATION_GRANULARITY;
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    @Override
    public byte[] ipcMemHandle() {
        return ipcMemHandle.clone();
    }

    @Override
    public String dtypeName() {
        return dtype.numpyName();
    }

    @Override
    public long payloadSizeBytes() {
        return Geometry.byteSize(shape, dtype.itemSize(), Kind.CORRUPT_RECORD);
    }

    /** The {@link GpuRecordLayout#RECORD_LENGTH}-byte encoding, CRC included. */
    public byte[] encode() {
        ByteBuffer out = ByteBuffer.allocate(RECORD_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC_OFFSET, MAGIC);
        out.putShort(VERSION_OFFSET, (short) VERSION);
        out.putShort(DTYPE_OFFSET, (short) dtype.code());
        out.putInt(DEVICE_OFFSET, deviceIndex);
        out.putLong(ALLOCATION_SIZE_OFFSET, allocationSizeBytes);
        out.putLong(PAYLOAD_OFFSET_OFFSET, payloadOffsetBytes);
        out.putLong(PAYLOAD_SIZE_OFFSET, payloadSizeBytes());
        out.putLong(CREATOR_PID_OFFSET, creatorPid);
        out.putShort(NDIM_OFFSET, (short) shape.length);
        out.putShort(RECORD_LENGTH_OFFSET, (short) RECORD_LENGTH);
        for (int i = 0; i < shape.length; i++) {
            out.putLong(SHAPE_OFFSET + 8 * i, shape[i]);
        }
        out.put(IPC_HANDLE_OFFSET, ipcMemHandle);
        out.putInt(CRC_OFFSET, crc(out.array()));
        return out.array();
    }

    /**
     * Decodes and validates a record from {@code segment}'s position (not moved); bytes past
     * the record are ignored.
     *
     * @throws InvalidGpuHandleException {@link Kind#CORRUPT_RECORD} for a bad magic, length,
     *     checksum or field, {@link Kind#UNSUPPORTED_HANDLE} for a newer layout version
     */
    public static GpuRecord decode(ByteBuffer segment) {
        ByteBuffer in = segment.slice().order(ByteOrder.LITTLE_ENDIAN);
        if (in.remaining() < RECORD_LENGTH) {
            throw corrupt("is " + in.remaining() + " bytes, shorter than the " + RECORD_LENGTH + "-byte record");
        }
        byte[] bytes = new byte[RECORD_LENGTH];
        in.get(0, bytes);
        ByteBuffer record = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (!Arrays.equals(bytes, MAGIC_OFFSET, MAGIC_OFFSET + MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw corrupt("does not start with the magic \"ASHMGPU\\0\"");
        }
        int version = Short.toUnsignedInt(record.getShort(VERSION_OFFSET));
        if (version != VERSION) {
            throw new InvalidGpuHandleException(Kind.UNSUPPORTED_HANDLE, "arrow-shm GPU record has layout version "
                    + version + "; this arrow-shm reads version " + VERSION + ": use the arrow-shm release that"
                    + " created the stream, or open it through its CPU mirror");
        }
        int length = Short.toUnsignedInt(record.getShort(RECORD_LENGTH_OFFSET));
        if (length != RECORD_LENGTH) {
            throw corrupt("declares " + length + " bytes; version " + VERSION + " records are " + RECORD_LENGTH);
        }
        int storedCrc = record.getInt(CRC_OFFSET);
        if (storedCrc != crc(bytes)) {
            throw corrupt("fails its CRC-32 (stored 0x" + Integer.toHexString(storedCrc) + ", computed 0x"
                    + Integer.toHexString(crc(bytes)) + ")");
        }
        int dtypeCode = Short.toUnsignedInt(record.getShort(DTYPE_OFFSET));
        if (dtypeCode >= DType.values().length) {
            throw corrupt("has dtype code " + dtypeCode + " (pyshmem codes are 0.." + (DType.values().length - 1) + ")");
        }
        int ndim = Short.toUnsignedInt(record.getShort(NDIM_OFFSET));
        if (ndim < 1 || ndim > MAX_NDIM) {
            throw corrupt("has ndim " + ndim + " (1.." + MAX_NDIM + ")");
        }
        long[] shape = new long[ndim];
        for (int i = 0; i < MAX_NDIM; i++) {
            long dim = record.getLong(SHAPE_OFFSET + 8 * i);
            if (i < ndim) {
                shape[i] = dim;
            } else if (dim != 0) {
                throw corrupt("has a non-zero shape entry " + i + " past ndim " + ndim);
            }
        }
        DType dtype = DType.fromCode(dtypeCode);
        int device = record.getInt(DEVICE_OFFSET);
        long allocation = record.getLong(ALLOCATION_SIZE_OFFSET);
        long offset = record.getLong(PAYLOAD_OFFSET_OFFSET);
        long pid = record.getLong(CREATOR_PID_OFFSET);
        byte[] handle = Arrays.copyOfRange(bytes, IPC_HANDLE_OFFSET, IPC_HANDLE_OFFSET + IPC_HANDLE_LENGTH);
        String problem = problem(device, allocation, offset, dtype, shape, handle, pid);
        if (problem != null) {
            throw corrupt(problem);
        }
        long payloadSize = record.getLong(PAYLOAD_SIZE_OFFSET);
        long expected = Geometry.byteSize(shape, dtype.itemSize(), Kind.CORRUPT_RECORD);
        if (payloadSize != expected) {
            throw corrupt("payload size " + payloadSize + " is not prod(shape) * itemsize = " + expected);
        }
        return new GpuRecord(device, allocation, offset, dtype, shape, handle, pid);
    }

    /** The first field out of range, or null; shared by the constructor and {@link #decode}. */
    private static String problem(int device, long allocation, long offset, DType dtype, long[] shape, byte[] handle,
            long pid) {
        if (dtype == null) {
            return "dtype is missing";
        }
        if (device < 0) {
            return "device index " + device + " is negative";
        }
        if (shape.length < 1 || shape.length > MAX_NDIM) {
            return "shape has " + shape.length + " dimensions (1.." + MAX_NDIM + ")";
        }
        if (Arrays.stream(shape).anyMatch(d -> d <= 0)) {
            return "shape " + GpuHandle.tuple(shape) + " has a dimension that is not positive";
        }
        if (handle.length != IPC_HANDLE_LENGTH) {
            return "IPC handle is " + handle.length + " bytes, not " + IPC_HANDLE_LENGTH;
        }
        if (Arrays.equals(handle, new byte[IPC_HANDLE_LENGTH])) {
            return "IPC handle is all zero (never exported)";
        }
        if (pid <= 0) {
            return "creator pid " + pid + " is not positive";
        }
        if (allocation <= 0 || allocation % ALLOCATION_GRANULARITY != 0) {
            return "allocation size " + allocation + " is not a positive multiple of " + ALLOCATION_GRANULARITY;
        }
        long payload;
        try {
            payload = Geometry.byteSize(shape, dtype.itemSize(), Kind.CORRUPT_RECORD);
        } catch (InvalidGpuHandleException e) {
            return "shape " + GpuHandle.tuple(shape) + " overflows 64 bits";
        }
        if (offset < 0 || offset > allocation || payload > allocation - offset) {
            return "payload of " + payload + " bytes at offset " + offset + " does not fit in the "
                    + allocation + "-byte allocation";
        }
        return null;
    }

    private static int crc(byte[] record) {
        CRC32 crc = new CRC32();
        crc.update(record, 0, CRC_OFFSET);
        crc.update(new byte[4]);
        crc.update(record, CRC_OFFSET + 4, RECORD_LENGTH - CRC_OFFSET - 4);
        return (int) crc.getValue();
    }

    private static InvalidGpuHandleException corrupt(String problem) {
        return new InvalidGpuHandleException(Kind.CORRUPT_RECORD, "arrow-shm GPU record " + problem
                + "; the _gpu segment is damaged: recreate the stream, or open it through its CPU mirror");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GpuRecord r && r.deviceIndex == deviceIndex && r.allocationSizeBytes == allocationSizeBytes
                && r.payloadOffsetBytes == payloadOffsetBytes && r.dtype == dtype && Arrays.equals(r.shape, shape)
                && Arrays.equals(r.ipcMemHandle, ipcMemHandle) && r.creatorPid == creatorPid;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(shape) * 31 + Arrays.hashCode(ipcMemHandle);
    }

    @Override
    public String toString() {
        return "GpuRecord[device=cuda:" + deviceIndex + ", dtype=" + dtype.numpyName() + ", shape="
                + GpuHandle.tuple(shape) + ", allocation=" + allocationSizeBytes + ", offset=" + payloadOffsetBytes
                + ", creatorPid=" + creatorPid + ", ipcMemHandle=" + HexFormat.of().formatHex(ipcMemHandle, 0, 8)
                + "...]";
    }
}

package io.arrowshm;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link SharedMemory#stat(String)} reports: the validated metadata of a stream and its
 * live counters, read without mapping the payload (pyshmem's {@code stat()} keys).
 *
 * @param instanceId 32 hex digits, empty for legacy streams
 * @param gpuDevice {@code "cuda:N"} for GPU streams
 * @param metadataVersion 3, or 2 for legacy streams
 */
public record StreamInfo(String name, long[] shape, DType dtype, long size, boolean gpuEnabled,
                         Optional<String> gpuDevice, boolean cpuMirror, boolean notifyEnabled, Optional<String> instanceId,
                         long creatorPid, boolean creatorAlive, long count, long writeSequence, double writeTime,
                         int metadataVersion) {
    public StreamInfo {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Equal when every component is, the shape compared by content (a record alone compares arrays by identity). */
    @Override
    public boolean equals(Object other) {
        return other instanceof StreamInfo o && name.equals(o.name) && Arrays.equals(shape, o.shape)
                && dtype == o.dtype && size == o.size && gpuEnabled == o.gpuEnabled && gpuDevice.equals(o.gpuDevice)
                && cpuMirror == o.cpuMirror && notifyEnabled == o.notifyEnabled && instanceId.equals(o.instanceId)
                && creatorPid == o.creatorPid && creatorAlive == o.creatorAlive && count == o.count
                && writeSequence == o.writeSequence && Double.compare(writeTime, o.writeTime) == 0
                && metadataVersion == o.metadataVersion;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, Arrays.hashCode(shape), dtype, size, gpuDevice, instanceId, count, writeSequence);
    }

    @Override
    public String toString() {
        return "StreamInfo[" + name + ", " + dtype.numpyName() + Arrays.toString(shape) + ", count " + count
                + ", creator " + creatorPid + (creatorAlive ? " (alive)" : " (gone)") + "]";
    }
}

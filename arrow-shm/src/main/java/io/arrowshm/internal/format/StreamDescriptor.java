package io.arrowshm.internal.format;

import io.arrowshm.DType;

/**
 * The immutable facts of a validated metadata header: what a handle needs to map and type
 * the payload. Mutable fields (count, sequence, lock owner...) are read live, not kept here.
 *
 * @param version layout version, 3 or legacy 2
 * @param flags v3 feature bits (0 on v2)
 * @param instanceId 16 bytes, or {@code null} when the header has none (v2, early v3)
 */
public record StreamDescriptor(
        int version,
        DType dtype,
        long[] shape,
        long size,
        int flags,
        boolean gpuEnabled,
        boolean cpuMirror,
        int deviceIndex,
        long creatorPid,
        byte[] instanceId) {

    public boolean notifyFlag() {
        return (flags & MetadataLayout.FLAG_NOTIFY) != 0;
    }
}

package io.arrowshm.internal.stream;

import io.arrowshm.internal.format.StreamDescriptor;
import io.arrowshm.internal.format.StreamNames;
import io.arrowshm.internal.posix.LockFile;
import io.arrowshm.internal.posix.Mapping;
import io.arrowshm.spi.DevicePayload;

/**
 * The resources of one attached stream, handed from {@link Lifecycle} to the handle that
 * will own them: two mappings, one lock-file reference and, for a handle attached to a GPU
 * stream's device, its device payload (else {@code null}).
 */
public record Attached(StreamNames names, StreamDescriptor descriptor, Mapping metadata, Mapping payload,
                       LockFile lock, boolean owner, boolean readOnly, DevicePayload device) {

    public Attached(StreamNames names, StreamDescriptor descriptor, Mapping metadata, Mapping payload, LockFile lock,
                    boolean owner, boolean readOnly) {
        this(names, descriptor, metadata, payload, lock, owner, readOnly, null);
    }

    /** The same resources with {@code attachedDevice} added. */
    public Attached withDevice(DevicePayload attachedDevice) {
        return new Attached(names, descriptor, metadata, payload, lock, owner, readOnly, attachedDevice);
    }

    /** Gives everything back (a handle that was never built from it). */
    public void release() {
        try {
            metadata.close();
            payload.close();
            if (device != null) {
                device.close();
            }
        } finally {
            lock.releaseReference();
        }
    }
}

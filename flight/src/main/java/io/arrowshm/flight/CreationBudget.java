package io.arrowshm.flight;

import io.arrowshm.CreateOptions;
import io.arrowshm.SharedMemory;
import io.arrowshm.StreamInfo;
import io.arrowshm.tensors.ArrowTensorTypes;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import org.apache.arrow.flight.CallStatus;

/**
 * Which streams a server may create for {@code DoPut}s, and how much shared memory they may take
 * together: a stream it created counts until it is unlinked (or replaced under its name), so a
 * stranger cannot fill /dev/shm one put after another. Creation can be off altogether.
 */
final class CreationBudget implements TensorBatchPublisher.StreamCreator {
    private final boolean allowed;
    private final long maxBytes;
    private final Map<String, Created> created = new HashMap<>();

    private record Created(Optional<String> instanceId, long bytes) {
    }

    CreationBudget(boolean allowed, long maxBytes) {
        this.allowed = allowed;
        this.maxBytes = maxBytes;
    }

    @Override
    public synchronized SharedMemory create(String name, ArrowTensorTypes.StreamLayout layout) {
        if (!allowed) {
            throw CallStatus.NOT_FOUND.withDescription("no stream '" + name + "' here, and this server creates none"
                    + " (--no-create): create it on the server first").toRuntimeException();
        }
        long bytes = frameBytes(layout);
        long used = inUse();
        if (bytes > maxBytes - used) {
            throw CallStatus.RESOURCE_EXHAUSTED.withDescription("creating '" + name + "' (" + bytes + " bytes) would"
                    + " take the streams this server created to " + (used + bytes) + " bytes, over its limit of "
                    + maxBytes + " (--max-created-bytes)").toRuntimeException();
        }
        SharedMemory shm = SharedMemory.create(name, CreateOptions.of(layout.dtype(), layout.shape()).notify(true));
        created.put(name, new Created(shm.instanceId(), bytes));
        return shm;
    }

    /** Unlinks {@code name} if it is still the stream this budget created (a failed put's), and forgets it. */
    synchronized void undo(String name, Optional<String> instanceId) {
        Created entry = created.get(name);
        if (entry == null || !entry.instanceId().equals(instanceId)) {
            return;
        }
        created.remove(name);
        try {
            if (SharedMemory.stat(name).instanceId().equals(instanceId)) {
                SharedMemory.unlink(name);
            }
        } catch (RuntimeException gone) {
            // unlinked already
        }
    }

    /** Bytes of the created streams that still exist under their names; the others are forgotten. */
    private long inUse() {
        long sum = 0;
        for (Iterator<Map.Entry<String, Created>> it = created.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Created> entry = it.next();
            if (stillThere(entry.getKey(), entry.getValue())) {
                sum += entry.getValue().bytes();
            } else {
                it.remove();
            }
        }
        return sum;
    }

    private static boolean stillThere(String name, Created entry) {
        try {
            StreamInfo info = SharedMemory.stat(name);
            return info.instanceId().equals(entry.instanceId());
        } catch (RuntimeException gone) {
            return false;
        }
    }

    static long frameBytes(ArrowTensorTypes.StreamLayout layout) {
        long n = layout.dtype().itemSize();
        for (long dim : layout.shape()) {
            n = Math.multiplyExact(n, dim);
        }
        return n;
    }
}

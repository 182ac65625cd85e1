package io.arrowshm.internal.stream;

import io.arrowshm.internal.posix.Mapping;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.ForeignAllocation;

/**
 * The payload mapping as Arrow memory, reference-counted: the handle holds one reference,
 * every view handed out holds its own ({@link ViewReference}), and the mapping is unmapped
 * when the last one goes. A caller that closes its view, twice or from the wrong thread,
 * gives back only its own reference, never the handle's.
 */
public final class PayloadMapping {
    private final ArrowBuf owned;

    public PayloadMapping(Mapping data, long size) {
        this.owned = Allocators.root().wrapForeignAllocation(new ForeignAllocation(size, data.address()) {
            @Override
            protected void release0() {
                data.close();
            }
        });
    }

    public long address() {
        return owned.memoryAddress();
    }

    public long size() {
        return owned.capacity();
    }

    /**
     * A new view of the whole payload holding its own reference. The caller must hold the
     * handle open while asking (its reference keeps the mapping alive).
     */
    public ArrowBuf view() {
        owned.getReferenceManager().retain();
        return new ViewReference(owned).whole();
    }

    /** Gives back the handle's own reference; the mapping goes once no view holds one. */
    public void release() {
        owned.close();
    }
}

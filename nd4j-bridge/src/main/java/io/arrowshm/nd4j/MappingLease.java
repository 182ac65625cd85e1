package io.arrowshm.nd4j;

import java.lang.ref.Cleaner;
import org.apache.arrow.memory.ArrowBuf;

/**
 * One reference to a stream's payload mapping (a retained {@link ArrowBuf} from
 * {@code SharedMemory.buffer()}), given back when the object that uses the memory becomes
 * unreachable. Arrow unmaps when the last reference goes, so the mapping outlives every
 * reachable user of it, whatever happens to the handle.
 */
final class MappingLease implements Runnable {
    private static final Cleaner CLEANER = Cleaner.create(task -> {
        Thread thread = new Thread(task, "arrow-shm-nd4j-view-cleaner");
        thread.setDaemon(true);
        return thread;
    });

    private final ArrowBuf retained;

    private MappingLease(ArrowBuf retained) {
        this.retained = retained;
    }

    /**
     * Hands {@code retained} to the cleaner, to be closed once {@code user} is unreachable.
     * The action holds the buffer, never {@code user}, or {@code user} could never become
     * unreachable.
     */
    static void releaseWhenUnreachable(Object user, ArrowBuf retained) {
        CLEANER.register(user, new MappingLease(retained));
    }

    @Override
    public void run() {
        retained.close();
    }
}

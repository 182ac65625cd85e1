package io.arrowshm.flight;

import io.arrowshm.SharedMemory;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.memory.BufferAllocator;

/**
 * The streams the server's {@code DoGet}s are sending now, one {@link StreamSnapshots} per
 * generation of a name, shared by all the calls on it and closed when the last one ends. A call is
 * admitted here by the frame memory it may hold ({@link SendBudget}: its own share, and the
 * stream's when it is the first on it). Also keeps count of the snapshots whose memory is not yet
 * freed, for {@link FlightServerStats}.
 */
final class ServedStreams {
    private final BufferAllocator memory;
    private final SendBudget budget;
    private final ServerCounters counters;
    private final Map<String, Entry> open = new HashMap<>();
    /** Snapshots made and not yet seen freed, oldest first. */
    private final ConcurrentLinkedQueue<FrameSnapshot> unfreed = new ConcurrentLinkedQueue<>();

    private static final class Entry {
        final StreamSnapshots snapshots;
        int users;

        Entry(StreamSnapshots snapshots) {
            this.snapshots = snapshots;
        }
    }

    /** Snapshots come from {@code memory} (the server's frame memory, which it owns), budgeted by {@code budget}. */
    ServedStreams(BufferAllocator memory, SendBudget budget, ServerCounters counters) {
        this.memory = memory;
        this.budget = budget;
        this.counters = counters;
    }

    /**
     * The shared snapshots of the stream {@code shm} is a handle of, for one more call. Takes
     * ownership of {@code shm} (a read-only handle whose reads allocate from the frame memory): it
     * becomes the cache's handle, or is closed when the generation is already served.
     *
     * @throws org.apache.arrow.flight.FlightRuntimeException {@code RESOURCE_EXHAUSTED} when the
     *     call's share of the frame memory does not fit
     */
    StreamSnapshots attach(SharedMemory shm) {
        String key = key(shm);
        long frame = shm.size();
        synchronized (open) {
            Entry entry = open.get(key);
            long share = budget.callShare(frame) + (entry == null ? budget.streamShare(frame) : 0);
            if (!budget.reserveBytes(share)) {
                shm.close();
                throw CallStatus.RESOURCE_EXHAUSTED.withDescription("the DoGet calls this server serves already hold"
                        + " what it allows for frames in flight (--max-send-bytes " + budget.maxBytes() + "; a call on "
                        + frame + "-byte frames may hold " + budget.callShare(frame) + " bytes, the rows its client's"
                        + " queue may hold); try again later").toRuntimeException();
            }
            try {
                if (entry == null) {
                    entry = new Entry(new StreamSnapshots(shm, memory, this::made));
                    open.put(key, entry);
                } else {
                    shm.close();
                }
            } catch (RuntimeException | Error e) {
                budget.releaseBytes(share);
                shm.close();
                throw e;
            }
            entry.users++;
            return entry.snapshots;
        }
    }

    /** One call on {@code snapshots} ended: its share goes back, and the last one closes them. */
    void detach(StreamSnapshots snapshots) {
        StreamSnapshots closing = null;
        long frame = snapshots.stream().size();
        synchronized (open) {
            String key = key(snapshots.stream());
            Entry entry = open.get(key);
            if (entry == null || entry.snapshots != snapshots) {
                throw new IllegalStateException("'" + snapshots.name() + "' detached more often than attached");
            }
            budget.releaseBytes(budget.callShare(frame));
            if (--entry.users == 0) {
                open.remove(key);
                budget.releaseBytes(budget.streamShare(frame));
                closing = snapshots;
            }
        }
        if (closing != null) {
            closing.close();
        }
    }

    /** Snapshots whose memory is still held (by a cache, a sender, or a message gRPC has not written yet). */
    int unfreedSnapshots() {
        int live = 0;
        for (Iterator<FrameSnapshot> it = unfreed.iterator(); it.hasNext(); ) {
            if (it.next().freed()) {
                it.remove();
            } else {
                live++;
            }
        }
        return live;
    }

    private void made(FrameSnapshot snapshot) {
        counters.snapshotMade();
        unfreed.add(snapshot);
        // Mostly freed in the order made: drop the freed head so the queue stays as short as what is held.
        for (FrameSnapshot oldest = unfreed.peek(); oldest != null && oldest.freed(); oldest = unfreed.peek()) {
            unfreed.remove(oldest);
        }
    }

    private static String key(SharedMemory shm) {
        return shm.name() + '\0' + shm.instanceId().orElse("") + '\0' + shm.creatorPid();
    }
}

package io.arrowshm.flight;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** The live counters behind {@link FlightServerStats}; updated from every call's thread. */
final class ServerCounters {
    private final AtomicInteger clients = new AtomicInteger();
    private final LongAdder framesSent = new LongAdder();
    private final LongAdder bytesSent = new LongAdder();
    private final LongAdder framesReceived = new LongAdder();
    private final LongAdder bytesReceived = new LongAdder();
    private final LongAdder snapshotsMade = new LongAdder();

    void clientStarted() {
        clients.incrementAndGet();
    }

    void clientEnded() {
        clients.decrementAndGet();
    }

    void sent(long bytes) {
        sent(1, bytes);
    }

    void sent(long frames, long bytes) {
        framesSent.add(frames);
        bytesSent.add(bytes);
    }

    void received(long bytes) {
        framesReceived.increment();
        bytesReceived.add(bytes);
    }

    /** A publication was copied out of shared memory for the {@code DoGet}s of its stream. */
    void snapshotMade() {
        snapshotsMade.increment();
    }

    FlightServerStats snapshot(long bufferedBytes, long frameBytes, int snapshots) {
        return new FlightServerStats(clients.get(), framesSent.sum(), bytesSent.sum(), framesReceived.sum(),
                bytesReceived.sum(), bufferedBytes, frameBytes, snapshots, snapshotsMade.sum());
    }
}

package io.arrowshm.flight;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.arrow.flight.CallOption;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * What every mirror shares: its thread, its memory and batch gate, one connection after another
 * with backoff (doubling from {@code initialBackoff} to {@code maxBackoff}), and the rule for
 * stopping for good (a refused token, frames over the mirror's limits, an argument that cannot
 * change) against reconnecting (anything else). Closing cancels the call in progress and never
 * interrupts the thread: Flight's {@code FlightStream.close()} drains a cancelled call's queued
 * messages with {@code next()}, and an interrupt makes that drain stop early and leave them
 * allocated; the backoff waits on a latch that closing releases.
 */
final class MirrorLoop {
    /** One mirror's side of a connection. */
    interface Session {
        /** One connection: true when it got as far as the schema (a real connection, which resets the backoff). */
        boolean receive(FlightClient client, CallOption[] callOptions) throws Exception;

        /** Before each connection. */
        default void beforeConnect() {
        }

        /** A status the mirror reconnects after: a chance to adjust what the next connection asks. */
        default void retrying(FlightRuntimeException e) {
        }

        /** Whether {@code e} ends the mirror for good (by default: a bad argument, such as a local stream of another shape). */
        default boolean permanent(RuntimeException e) {
            return e instanceof IllegalArgumentException;
        }
    }

    private final FlightSource source;
    private final MirrorOptions options;
    private final String what;
    private final int receiveWindow;
    private final BufferAllocator allocator = new RootAllocator();
    /** Where the gate decompresses a compressed batch once, to check it, before Flight's loader does. */
    private final BufferAllocator scratch;
    private final MirrorGate gate;
    private final Thread thread;
    private final AtomicLong connects = new AtomicLong();
    private final AtomicReference<String> lastError = new AtomicReference<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final AtomicReference<FlightStream> current = new AtomicReference<>();
    private final CountDownLatch stopping = new CountDownLatch(1);
    private volatile boolean connected;
    private volatile boolean closed;
    private Session session;

    /**
     * @param what how errors name the source ("the remote stream", "the remote ring")
     * @param receiveWindow a fixed gRPC receive window, or 0 for gRPC's own
     */
    MirrorLoop(FlightSource source, MirrorOptions options, String what, String threadName, int receiveWindow) {
        this.source = source;
        this.options = options;
        this.what = what;
        this.receiveWindow = receiveWindow;
        this.scratch = allocator.newChildAllocator(threadName + "-check", 0,
                BatchGate.messageBytes(options.limits().maxDecodedBatchBytes()));
        this.gate = new MirrorGate(options.limits(), scratch);
        this.thread = new Thread(this::run, threadName);
        this.thread.setDaemon(true);
    }

    void start(Session mirrorSession) {
        this.session = mirrorSession;
        thread.start();
    }

    /** The mirror's memory (its local buffers and Flight's). */
    BufferAllocator allocator() {
        return allocator;
    }

    boolean closed() {
        return closed;
    }

    boolean connected() {
        return connected;
    }

    long connects() {
        return connects.get();
    }

    Optional<String> lastError() {
        return Optional.ofNullable(lastError.get());
    }

    Optional<Throwable> failure() {
        return Optional.ofNullable(failure.get());
    }

    void lastError(String why) {
        lastError.set(why);
    }

    /** The call now streaming (cancelled by {@link #close()}), or null once it ended. */
    void streaming(FlightStream stream) {
        current.set(stream);
    }

    /** The schema arrived and passed: frames flow. */
    void connectedNow() {
        connected = true;
        connects.incrementAndGet();
    }

    /**
     * Stops: cancels the call in progress and waits (10 s at most) for the thread to end; returns
     * whether it ended, so the caller may free the memory the thread used. Closing twice is harmless.
     */
    boolean close() {
        if (!closed) {
            closed = true;
            stopping.countDown();
            FlightStream stream = current.get();
            if (stream != null) {
                stream.cancel("mirror closed", null);
            }
        }
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !thread.isAlive(); // still inside a call that ignores cancelling: leave its memory to it
    }

    /** Frees the gate's and the mirror's memory, once the thread ended and the caller freed its own. */
    void release() {
        scratch.close();
        allocator.close();
    }

    private void run() {
        Duration backoff = options.initialBackoff();
        CallOption[] callOptions = FlightClients.callOptions(options);
        while (!closed) {
            try {
                session.beforeConnect();
                try (FlightClient client = FlightClients.connect(source.location(), options, allocator, gate,
                        receiveWindow)) {
                    if (session.receive(client, callOptions)) {
                        backoff = options.initialBackoff();
                    }
                }
            } catch (FlightRuntimeException e) {
                BatchGate.Refusal refused = gate.lastRefusal();
                if (e.status().code() == FlightStatusCode.UNAUTHENTICATED
                        || e.status().code() == FlightStatusCode.UNAUTHORIZED) {
                    stop(e);
                    return;
                }
                if (refused != null && refused.overLimit()) {
                    // Honest perhaps, but larger than this mirror takes: reconnecting cannot help.
                    stop(new IllegalArgumentException(what + " " + source + ": " + refused.reason(), e));
                    return;
                }
                session.retrying(e);
                lastError.set(e.status().code() + ": " + e.getMessage());
            } catch (IllegalArgumentException | IllegalStateException e) {
                if (session.permanent(e)) {
                    stop(e);
                    return;
                }
                lastError.set(e.getClass().getSimpleName() + ": " + e.getMessage());
            } catch (InterruptedException e) {
                return; // close()
            } catch (Exception e) {
                if (closed) {
                    return;
                }
                lastError.set(e.getClass().getSimpleName() + ": " + e.getMessage());
            } finally {
                connected = false;
                current.set(null);
            }
            if (closed) {
                return;
            }
            try {
                if (stopping.await(backoff.toMillis(), TimeUnit.MILLISECONDS)) {
                    return; // close()
                }
            } catch (InterruptedException e) {
                return;
            }
            backoff = backoff.multipliedBy(2).compareTo(options.maxBackoff()) > 0 ? options.maxBackoff()
                    : backoff.multipliedBy(2);
        }
    }

    private void stop(Exception e) {
        lastError.set(e.getMessage());
        failure.set(e);
    }
}

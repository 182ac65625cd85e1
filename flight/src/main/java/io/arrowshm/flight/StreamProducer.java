package io.arrowshm.flight;

import io.arrowshm.OpenOptions;
import io.arrowshm.Ring;
import io.arrowshm.SharedMemory;
import io.arrowshm.StreamInfo;
import io.arrowshm.StreamNotFoundException;
import io.arrowshm.WaitStrategy;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.function.BooleanSupplier;
import org.apache.arrow.flight.Action;
import org.apache.arrow.flight.ActionType;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.Criteria;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightProducer;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.PutResult;
import org.apache.arrow.flight.Result;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.memory.BufferAllocator;

/**
 * The Flight methods over the host's streams; each delegates to the class that owns the concern.
 * {@code DoGet} only opens the stream (so a missing one is an immediate {@code NOT_FOUND}) and
 * hands the call to the server's own, bounded, executor: a call over its size is
 * {@code RESOURCE_EXHAUSTED}, and so is a {@code DoPut} over the number received at once.
 */
final class StreamProducer implements FlightProducer {
    /** gRPC cannot carry one message of 2 GiB or more; keep room for the IPC header. */
    static final long MAX_FRAME_BYTES = Integer.MAX_VALUE - (1 << 20);

    private static final WaitStrategy PARKING = WaitStrategy.of(0, 0, Duration.ofMillis(1));

    private final BufferAllocator allocator;
    private final ExecutorService senders;
    private final StreamPatterns exposed;
    private final StreamActions actions;
    private final ServerCounters counters;
    private final BooleanSupplier closing;
    private final ServeOptions options;
    private final CreationBudget budget;
    private final Semaphore puts;
    private final BufferAllocator frameMemory;
    private final ServedStreams served;
    private final SendBudget sendBudget;

    /**
     * {@code allocator}: for puts; {@code frameMemory}: what {@code DoGet}s send from, budgeted by
     * {@code sendBudget}, which {@code served} admits streams' calls by (rings' calls are admitted here).
     */
    StreamProducer(BufferAllocator allocator, BufferAllocator frameMemory, ServedStreams served, SendBudget sendBudget,
                   ExecutorService senders, ServeOptions options, ServerCounters counters, BooleanSupplier closing) {
        this.allocator = allocator;
        this.frameMemory = frameMemory;
        this.served = served;
        this.sendBudget = sendBudget;
        this.senders = senders;
        this.exposed = new StreamPatterns(options.expose());
        this.actions = new StreamActions(exposed);
        this.counters = counters;
        this.closing = closing;
        this.options = options;
        this.budget = new CreationBudget(options.createStreams(), options.maxCreatedBytes());
        this.puts = new Semaphore(options.maxPuts());
    }

    @Override
    public void getStream(CallContext context, Ticket ticket, ServerStreamListener listener) {
        TicketRequest request = TicketRequest.parse(ticket);
        if (!exposed.exposes(request.stream())) {
            throw StreamFlights.notFound(request.stream());
        }
        Optional<Ring> ring = RingFlights.tryOpen(request.stream());
        if (ring.isPresent()) {
            getRing(request, ring.get(), listener);
            return;
        }
        SharedMemory shm = openForReading(request.stream(), frameMemory);
        if (shm.size() > MAX_FRAME_BYTES) {
            shm.close();
            throw CallStatus.INVALID_ARGUMENT.withDescription("stream '" + request.stream() + "' has "
                    + shm.size() + "-byte frames; one gRPC message carries less than 2 GiB").toRuntimeException();
        }
        StreamSnapshots stream = served.attach(shm); // RESOURCE_EXHAUSTED over --max-send-bytes
        try {
            senders.execute(new LiveSender(request, stream, listener, frameMemory, counters, closing,
                    () -> served.detach(stream)));
        } catch (RejectedExecutionException e) {
            served.detach(stream);
            if (closing.getAsBoolean()) {
                throw CallStatus.UNAVAILABLE.withDescription("the server is shutting down").toRuntimeException();
            }
            throw CallStatus.RESOURCE_EXHAUSTED.withDescription("this server already serves " + options.maxClients()
                    + " DoGet calls, as many as it takes at once (--max-clients " + options.maxClients()
                    + "); try again later").toRuntimeException();
        } catch (RuntimeException | Error e) {
            served.detach(stream);
            throw e;
        }
    }

    /**
     * A ring's DoGet, admitted like a stream's (by count, and by the memory it may hold: two batches,
     * at most the ring client memory); its cursors are attached here, so a cursor in use or a bad
     * position fails the call at once.
     */
    private void getRing(TicketRequest request, Ring ring, ServerStreamListener listener) {
        RingServeOptions rings = options.rings();
        BufferAllocator callAllocator = null;
        RingFeed feed = null;
        long held = 0;
        try {
            int maxRows = (int) Math.min(RingSender.rowsFor(ring.size(), rings.clientMemory()),
                    MAX_FRAME_BYTES / ring.size());
            if (maxRows < 1) {
                throw CallStatus.RESOURCE_EXHAUSTED.withDescription("ring '" + ring.name() + "' has " + ring.size()
                        + "-byte frames; a client may hold " + rings.clientMemory() + " bytes (two batches of at least"
                        + " one frame, each under 2 GiB): raise --ring-client-memory").toRuntimeException();
            }
            long share = 2 * (maxRows * (ring.size() + 64));
            if (!sendBudget.reserveBytes(share)) {
                throw CallStatus.RESOURCE_EXHAUSTED.withDescription("the DoGet calls this server serves already hold"
                        + " what it allows for frames in flight (--max-send-bytes " + options.maxSendBytes() + "; a ring"
                        + " call holds up to " + share + " bytes); try again later").toRuntimeException();
            }
            held = share;
            // In the frame memory, whose limit is what the budget granted: streams and rings share one bound.
            callAllocator = frameMemory.newChildAllocator("doget-ring-" + ring.name(), 0, rings.clientMemory());
            feed = RingFeed.open(ring, request, rings, maxRows);
            long release = share;
            senders.execute(new RingSender(feed, request.latestOnly(), new OutboundCall(listener), callAllocator,
                    maxRows, counters, closing, () -> sendBudget.releaseBytes(release)));
        } catch (RejectedExecutionException e) {
            closeRingQuietly(feed, ring, callAllocator, held);
            if (closing.getAsBoolean()) {
                throw CallStatus.UNAVAILABLE.withDescription("the server is shutting down").toRuntimeException();
            }
            throw CallStatus.RESOURCE_EXHAUSTED.withDescription("this server already serves " + options.maxClients()
                    + " DoGet calls, as many as it takes at once (--max-clients " + options.maxClients()
                    + "); try again later").toRuntimeException();
        } catch (RuntimeException | Error e) {
            closeRingQuietly(feed, ring, callAllocator, held);
            throw e;
        }
    }

    private void closeRingQuietly(RingFeed feed, Ring ring, BufferAllocator callAllocator, long held) {
        sendBudget.releaseBytes(held);
        if (feed != null) {
            feed.close();
        }
        ring.close();
        if (callAllocator != null) {
            callAllocator.close();
        }
    }

    @Override
    public void listFlights(CallContext context, Criteria criteria, StreamListener<FlightInfo> listener) {
        for (StreamInfo info : ExposedStreams.list(exposed)) {
            FlightInfo flight;
            try {
                flight = StreamFlights.info(info);
            } catch (RuntimeException unservable) {
                // One stream on the host that cannot be described (e.g. one being recreated as we look) must
                // not fail the listing of all the others; GetFlightInfo on its name says what is wrong.
                continue;
            }
            listener.onNext(flight);
        }
        for (String name : Ring.list()) {
            if (!exposed.exposes(name)) {
                continue;
            }
            try {
                Optional<Ring> ring = RingFlights.tryOpen(name);
                if (ring.isPresent()) {
                    try (Ring opened = ring.get()) {
                        listener.onNext(RingFlights.info(opened));
                    }
                }
            } catch (RuntimeException unservable) {
                // as for streams: GetFlightInfo on its name says what is wrong
            }
        }
        listener.onCompleted();
    }

    @Override
    public FlightInfo getFlightInfo(CallContext context, FlightDescriptor descriptor) {
        String name = StreamFlights.nameOf(descriptor);
        if (!exposed.exposes(name)) {
            throw StreamFlights.notFound(name);
        }
        Optional<Ring> ring = RingFlights.tryOpen(name);
        if (ring.isPresent()) {
            try (Ring opened = ring.get()) {
                return RingFlights.info(opened);
            }
        }
        return StreamFlights.info(StreamFlights.stat(name));
    }

    @Override
    public Runnable acceptPut(CallContext context, FlightStream flightStream, StreamListener<PutResult> ackStream) {
        String name = StreamFlights.nameOf(flightStream.getDescriptor());
        if (!exposed.exposes(name)) {
            throw CallStatus.UNAUTHORIZED.withDescription("stream '" + name + "' is not exposed by this server")
                    .toRuntimeException();
        }
        if (!puts.tryAcquire()) {
            throw CallStatus.RESOURCE_EXHAUSTED.withDescription("this server already receives " + options.maxPuts()
                    + " DoPut calls, as many as it takes at once (--max-puts " + options.maxPuts() + "); try again later")
                    .toRuntimeException();
        }
        try {
            Optional<Ring> ring = RingFlights.tryOpen(name);
            if (ring.isPresent()) {
                // The row it unpacks for a bool ring, nothing else; a ring is never created by a put.
                BufferAllocator putAllocator = allocator.newChildAllocator("doput-ring-" + name, 0,
                        options.limits().maxFrameBytes() + (1 << 20));
                return new RingPutReceiver(ring.get(), flightStream, ackStream, putAllocator, counters, options.limits(),
                        PutVerdict.current(), () -> context.isCancelled() || closing.getAsBoolean(), puts::release);
            }
            // The put's own memory: the row it unpacks for a bool stream, nothing else.
            BufferAllocator putAllocator = allocator.newChildAllocator("doput-" + name, 0,
                    options.limits().maxFrameBytes() + (1 << 20));
            return new PutReceiver(name, flightStream, ackStream, putAllocator, counters, options.limits(), budget,
                    PutVerdict.current(), puts::release);
        } catch (RuntimeException | Error e) {
            puts.release();
            throw e;
        }
    }

    @Override
    public void doAction(CallContext context, Action action, StreamListener<Result> listener) {
        listener.onNext(actions.run(action));
        listener.onCompleted();
    }

    @Override
    public void listActions(CallContext context, StreamListener<ActionType> listener) {
        for (ActionType type : actions.types()) {
            listener.onNext(type);
        }
        listener.onCompleted();
    }

    private static SharedMemory openForReading(String name, BufferAllocator frameMemory) {
        try {
            // Publications are copied into the frame memory: the server's memory use is observable, and bounded.
            // A sender parks at once while it waits for the next write (a futex the write ends, on notify
            // streams): spinning would take the CPU that gRPC needs to send.
            return SharedMemory.open(name, OpenOptions.readOnly().allocator(frameMemory).waitStrategy(PARKING));
        } catch (StreamNotFoundException e) {
            throw StreamFlights.notFound(name);
        } catch (io.arrowshm.SharedMemoryException e) {
            throw CallStatus.INTERNAL.withDescription("stream '" + name + "' cannot be served: " + e.getMessage())
                    .toRuntimeException();
        }
    }

}

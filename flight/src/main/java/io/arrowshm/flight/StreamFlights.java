package io.arrowshm.flight;

import io.arrowshm.InvalidMetadataException;
import io.arrowshm.StreamInfo;
import io.arrowshm.StreamNotFoundException;
import io.arrowshm.SharedMemory;
import io.arrowshm.UntrustedFileException;
import io.arrowshm.tensors.RecordingSchema;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.vector.types.pojo.Schema;

/** A stream as Flight describes it: descriptor path {@code [NAME]}, recording schema, one endpoint. */
final class StreamFlights {
    private StreamFlights() {
    }

    static FlightInfo info(StreamInfo stream) {
        Schema schema = RecordingSchema.of(stream.name(), stream.dtype(), stream.shape());
        // No location on the endpoint: the client fetches the ticket from the server it asked.
        FlightEndpoint endpoint = new FlightEndpoint(new Ticket(stream.name().getBytes(StandardCharsets.UTF_8)));
        return new FlightInfo(schema, FlightDescriptor.path(stream.name()), List.of(endpoint), -1, -1);
    }

    /** The stream a descriptor names: a path of exactly one element. */
    static String nameOf(FlightDescriptor descriptor) {
        if (descriptor.isCommand() || descriptor.getPath().size() != 1 || descriptor.getPath().get(0).isEmpty()) {
            throw CallStatus.INVALID_ARGUMENT.withDescription("the descriptor must be a path of one element,"
                    + " the stream name: FlightDescriptor.for_path(\"frames\")").toRuntimeException();
        }
        return descriptor.getPath().get(0);
    }

    /** stat() with Flight's status codes for a missing or unreadable stream. */
    static StreamInfo stat(String name) {
        try {
            return SharedMemory.stat(name);
        } catch (StreamNotFoundException e) {
            throw notFound(name);
        } catch (InvalidMetadataException | UntrustedFileException e) {
            throw CallStatus.INTERNAL.withDescription("stream '" + name + "' cannot be served: " + e.getMessage())
                    .toRuntimeException();
        }
    }

    static RuntimeException notFound(String name) {
        return CallStatus.NOT_FOUND.withDescription("no stream '" + name + "' is served here").toRuntimeException();
    }
}

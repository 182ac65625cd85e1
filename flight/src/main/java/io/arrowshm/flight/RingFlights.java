package io.arrowshm.flight;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.arrowshm.CursorInfo;
import io.arrowshm.InvalidMetadataException;
import io.arrowshm.Ring;
import io.arrowshm.RingInfo;
import io.arrowshm.SharedMemoryException;
import io.arrowshm.StreamNotFoundException;
import io.arrowshm.UntrustedFileException;
import io.arrowshm.tensors.RecordingSchema;
import io.arrowshm.tensors.RingRecordingSchema;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Optional;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.vector.ipc.message.IpcOption;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A ring as Flight describes and sends it: the row schema of a ring's {@code DoGet} ({@code tensor},
 * {@code position}, {@code frame_id}, {@code write_time}, {@code lost}, with the ring's dtype,
 * shape, capacity and policy in the metadata), its {@code FlightInfo} (that schema, and the ring's
 * state as JSON app metadata) and its JSON facts for {@code DoAction}.
 */
final class RingFlights {
    /** Frames lost just before this row: overwritten before they were sent, or outside a resume's window. */
    static final String LOST = "lost";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ArrowType U64 = new ArrowType.Int(64, false);

    private RingFlights() {
    }

    /** The ring {@code name}, if one exists (a name that holds none, or only a stream, is empty). */
    static Optional<Ring> tryOpen(String name) {
        try {
            return Optional.of(Ring.open(name));
        } catch (StreamNotFoundException none) {
            return Optional.empty();
        } catch (InvalidMetadataException | UntrustedFileException e) {
            throw CallStatus.INTERNAL.withDescription("ring '" + name + "' cannot be served: " + e.getMessage())
                    .toRuntimeException();
        }
    }

    /** The schema of the rows a {@code DoGet} on {@code ring} sends (its metadata names the ring's generation). */
    static Schema schema(Ring ring) {
        Schema recording = RingRecordingSchema.of(ring);
        Map<String, String> metadata = new LinkedHashMap<>(recording.getCustomMetadata());
        metadata.put(RingRecordingSchema.META_INSTANCE, ring.instanceId());
        return new Schema(List.of(recording.findField(RecordingSchema.TENSOR),
                recording.findField(RingRecordingSchema.POSITION), recording.findField(RecordingSchema.FRAME_ID),
                Field.notNullable(RecordingSchema.WRITE_TIME, new ArrowType.Timestamp(TimeUnit.NANOSECOND, "UTC")),
                Field.notNullable(LOST, U64)), metadata);
    }

    static FlightInfo info(Ring ring) {
        FlightEndpoint endpoint = new FlightEndpoint(new Ticket(ring.name().getBytes(StandardCharsets.UTF_8)));
        RingInfo now = ring.info();
        // Ordered: the rows of a ring come in position order. Records: the frames the ring holds now.
        return new FlightInfo(schema(ring), FlightDescriptor.path(ring.name()), List.of(endpoint), -1,
                now.writePosition() - now.oldestPosition(), true, IpcOption.DEFAULT, json(facts(now)));
    }

    /** DoAction's JSON for a ring: kind, dtype, shape, size, capacity, overflow, positions, writer, cursors. */
    static ObjectNode facts(RingInfo info) {
        ObjectNode node = JSON.createObjectNode();
        node.put("name", info.name());
        node.put("kind", RingRecordingSchema.KIND_RING);
        node.put("dtype", info.dtype().numpyName());
        ArrayNode shape = node.putArray("shape");
        for (long dim : info.shape()) {
            shape.add(dim);
        }
        node.put("size", info.slotSize());
        node.put("capacity", info.capacity());
        node.put("overflow", info.overflow().name().toLowerCase(Locale.ROOT));
        node.put("write_position", info.writePosition());
        node.put("oldest_position", info.oldestPosition());
        node.put("writer_pid", info.writerPid());
        node.put("writer_alive", info.writerAlive());
        node.put("max_cursors", info.maxCursors());
        node.put("instance_id", info.instanceId());
        ArrayNode cursors = node.putArray("cursors");
        for (CursorInfo cursor : info.cursors()) {
            ObjectNode c = cursors.addObject();
            c.put("name", cursor.name());
            c.put("position", cursor.position());
            c.put("lag", cursor.lag());
            c.put("live", cursor.live());
            c.put("blocking", cursor.blocking());
            c.put("untethered", cursor.untethered());
        }
        return node;
    }

    /** The facts of ring {@code name}, or empty when there is none. */
    static Optional<ObjectNode> facts(String name) {
        Optional<Ring> ring = tryOpen(name);
        if (ring.isEmpty()) {
            return Optional.empty();
        }
        try (Ring opened = ring.get()) {
            return Optional.of(facts(opened.info()));
        } catch (SharedMemoryException vanished) {
            return Optional.empty();
        }
    }

    static byte[] json(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (IOException e) {
            throw CallStatus.INTERNAL.withDescription("cannot write JSON: " + e.getMessage()).toRuntimeException();
        }
    }
}

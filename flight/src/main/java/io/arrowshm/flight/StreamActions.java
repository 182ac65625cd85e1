package io.arrowshm.flight;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.arrowshm.Ring;
import io.arrowshm.StreamInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.apache.arrow.flight.Action;
import org.apache.arrow.flight.ActionType;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.Result;

/**
 * {@code DoAction}: {@code stat} (body: a stream name) returns one JSON object, {@code list} a
 * JSON array of them, for the exposed streams only: name, dtype, shape, size, count,
 * write_time, age_seconds, notify, creator_pid, creator_alive; for a ring, {@code "kind": "ring"}
 * with its capacity, overflow, positions, writer and cursors ({@link RingFlights#facts}).
 */
final class StreamActions {
    static final ActionType STAT = new ActionType("stat", "JSON facts of one stream; body: the stream name");
    static final ActionType LIST = new ActionType("list", "JSON array of every exposed stream's facts");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final StreamPatterns exposed;

    StreamActions(StreamPatterns exposed) {
        this.exposed = exposed;
    }

    List<ActionType> types() {
        return List.of(STAT, LIST);
    }

    Result run(Action action) {
        switch (action.getType()) {
            case "stat": {
                String name = new String(action.getBody(), StandardCharsets.UTF_8).strip();
                if (!exposed.exposes(name)) {
                    throw StreamFlights.notFound(name);
                }
                Optional<ObjectNode> ring = RingFlights.facts(name);
                if (ring.isPresent()) {
                    return result(ring.get());
                }
                return result(facts(StreamFlights.stat(name)));
            }
            case "list": {
                ArrayNode all = JSON.createArrayNode();
                for (StreamInfo info : ExposedStreams.list(exposed)) {
                    all.add(facts(info));
                }
                for (String name : Ring.list()) {
                    if (exposed.exposes(name)) {
                        RingFlights.facts(name).ifPresent(all::add);
                    }
                }
                return result(all);
            }
            default:
                throw CallStatus.INVALID_ARGUMENT.withDescription("unknown action '" + action.getType()
                        + "'; this server has stat and list").toRuntimeException();
        }
    }

    static ObjectNode facts(StreamInfo info) {
        ObjectNode node = JSON.createObjectNode();
        node.put("name", info.name());
        node.put("dtype", info.dtype().numpyName());
        ArrayNode shape = node.putArray("shape");
        for (long dim : info.shape()) {
            shape.add(dim);
        }
        node.put("size", info.size());
        node.put("count", info.count());
        node.put("write_time", info.writeTime());
        double age = info.writeTime() <= 0 ? -1 : Math.max(0, System.currentTimeMillis() / 1e3 - info.writeTime());
        node.put("age_seconds", age);
        node.put("notify", info.notifyEnabled());
        node.put("creator_pid", info.creatorPid());
        node.put("creator_alive", info.creatorAlive());
        return node;
    }

    private static Result result(Object json) {
        try {
            return new Result(JSON.writeValueAsBytes(json));
        } catch (IOException e) {
            throw CallStatus.INTERNAL.withDescription("cannot write JSON: " + e.getMessage()).toRuntimeException();
        }
    }
}

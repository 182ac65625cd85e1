package io.arrowshm.flight;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.Ticket;

/**
 * What a {@code DoGet} ticket asks for: the bytes of a stream or ring name ({@code Ticket(b"frames")}:
 * follow it live; a ring from a fresh cursor), or the JSON {@code {"stream": NAME, "mode": "latest" |
 * "follow"}}; for a ring also {@code "cursor": NAME} (a durable cursor) and {@code "after": P} (resume
 * right after position P, the last one received).
 *
 * @param cursor the durable ring cursor asked for, or null
 * @param after the last position the client received, or null
 */
record TicketRequest(String stream, boolean latestOnly, String cursor, Long after) {
    /** Positions are below 2^62 (ring-format §2.4). */
    private static final long MAX_POSITION = (1L << 62) - 1;

    private static final ObjectMapper JSON = new ObjectMapper();

    static TicketRequest parse(Ticket ticket) {
        byte[] bytes = ticket.getBytes();
        String text = new String(bytes, StandardCharsets.UTF_8);
        if (text.isEmpty()) {
            throw CallStatus.INVALID_ARGUMENT.withDescription("empty ticket: give a stream name,"
                    + " or {\"stream\": NAME, \"mode\": \"latest\"}").toRuntimeException();
        }
        if (!text.startsWith("{")) {
            return new TicketRequest(text, false, null, null);
        }
        JsonNode json;
        try {
            json = JSON.readTree(text);
        } catch (IOException e) {
            throw CallStatus.INVALID_ARGUMENT.withDescription("ticket is not valid JSON: " + e.getMessage().lines().findFirst().orElse(""))
                    .toRuntimeException();
        }
        JsonNode stream = json.get("stream");
        if (stream == null || !stream.isTextual() || stream.asText().isEmpty()) {
            throw CallStatus.INVALID_ARGUMENT.withDescription("JSON ticket needs \"stream\": a stream name")
                    .toRuntimeException();
        }
        JsonNode mode = json.get("mode");
        String modeText = mode == null ? "follow" : mode.asText();
        if (!modeText.equals("latest") && !modeText.equals("follow")) {
            throw CallStatus.INVALID_ARGUMENT.withDescription("ticket mode must be \"latest\" or \"follow\", got "
                    + mode).toRuntimeException();
        }
        JsonNode cursor = json.get("cursor");
        if (cursor != null && (!cursor.isTextual() || cursor.asText().isEmpty())) {
            throw CallStatus.INVALID_ARGUMENT.withDescription("ticket \"cursor\" must be a cursor name, got " + cursor)
                    .toRuntimeException();
        }
        JsonNode after = json.get("after");
        if (after != null && !after.isNull() && (!after.canConvertToLong() || !after.isIntegralNumber()
                || after.asLong() < 0 || after.asLong() > MAX_POSITION)) {
            throw CallStatus.INVALID_ARGUMENT.withDescription("ticket \"after\" must be a ring position (an integer"
                    + " from 0 to 2^62 - 1), got " + after).toRuntimeException();
        }
        return new TicketRequest(stream.asText(), modeText.equals("latest"), cursor == null ? null : cursor.asText(),
                after == null || after.isNull() ? null : after.asLong());
    }
}

package io.arrowshm.flight;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.Ticket;

/**
 * What a {@code DoGet} ticket asks for: the bytes of a stream name ({@code Ticket(b"frames")}:
 * follow it live), or the JSON {@code {"stream": NAME, "mode": "latest" | "follow"}}.
 */
record TicketRequest(String stream, boolean latestOnly) {
    private static final ObjectMapper JSON = new ObjectMapper();

    static TicketRequest parse(Ticket ticket) {
        byte[] bytes = ticket.getBytes();
        String text = new String(bytes, StandardCharsets.UTF_8);
        if (text.isEmpty()) {
            throw CallStatus.INVALID_ARGUMENT.withDescription("empty ticket: give a stream name,"
                    + " or {\"stream\": NAME, \"mode\": \"latest\"}").toRuntimeException();
        }
        if (!text.startsWith("{")) {
            return new TicketRequest(text, false);
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
        return new TicketRequest(stream.asText(), modeText.equals("latest"));
    }
}

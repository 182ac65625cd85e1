package io.arrowshm.flight;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.arrowshm.DType;
import io.arrowshm.Publication;
import io.arrowshm.SharedMemory;
import io.arrowshm.testing.Names;
import io.arrowshm.testing.Patterns;
import io.arrowshm.testing.PeerProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * pyarrow.flight clients (nothing of ours in Python) against a server in this JVM, over streams
 * that pyshmem created and reads: list, info, get (live and latest), put both ways, actions, and
 * hostile puts that must leave the stream untouched.
 */
class PyarrowFlightTest {
    private static final Duration PEER = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();
    private final List<String> names = new ArrayList<>();
    private StreamFlightServer server;
    private String uri;

    @BeforeEach
    void start() {
        server = StreamFlightServer.start(ServeOptions.defaults().port(0));
        uri = "grpc://127.0.0.1:" + server.port();
    }

    @AfterEach
    void stop() {
        server.close();
        names.forEach(SharedMemory::unlink);
    }

    private String name(String prefix) {
        String name = Names.unique(prefix);
        names.add(name);
        return name;
    }

    @Test
    void pyarrowListsAndReadsWhatPyshmemWrote() throws Exception {
        String name = name("pa-get");
        python("pyshmem-create", name, "float32", "3", "4", "5");
        List<JsonNode> flights = lines(python("list", uri)).stream().filter(f -> f.get("path").get(0).asText().equals(name))
                .toList();
        assertEquals(1, flights.size(), flights::toString);
        JsonNode listed = flights.get(0);
        assertEquals("float32", listed.get("dtype").asText());
        assertEquals("[4,5]", listed.get("shape").toString());
        assertEquals("[4,5]", listed.get("tensor_shape").toString());
        assertEquals("FixedShapeTensorType", listed.get("tensor_type").asText());
        assertEquals(name, listed.get("ticket").asText());
        assertEquals("tensor,count,frame_id,write_time,missed", python("info", uri, name).get(0));

        String expected = Patterns.sha256(Patterns.bytes(DType.FLOAT32, 80, 3));
        JsonNode row = lines(python("get", uri, name, "1")).get(0);
        assertEquals("FixedShapeTensorArray", row.get("tensor_type").asText());
        assertEquals(expected, row.get("sha").asText());
        assertEquals(3, row.get("frame_id").asLong());
        assertEquals(1, row.get("count").asLong());
        assertEquals(0, row.get("missed").asLong());

        List<JsonNode> latest = lines(python("get-all", uri, "{\"stream\": \"" + name + "\", \"mode\": \"latest\"}"));
        assertEquals(1, latest.size(), latest::toString);
        assertEquals(expected, latest.get(0).get("sha").asText());
    }

    @Test
    void pyarrowFollowsLiveFramesFromAPyshmemWriter() throws Exception {
        String name = name("pa-live");
        python("pyshmem-create", name, "uint8", "0", "64", "64");
        try (PeerProcess writer = PeerProcess.python("flight_peer.py", "pyshmem-write", name, "400", "100");
             PeerProcess reader = PeerProcess.python("flight_peer.py", "get", uri, name, "20")) {
            writer.await("ready", PEER);
            List<JsonNode> rows = lines(reader.finish(PEER));
            assertEquals(20, rows.size());
            long previous = -1;
            for (JsonNode row : rows) {
                long count = row.get("count").asLong();
                long frameId = row.get("frame_id").asLong();
                assertTrue(count > previous, "counts increase: " + rows);
                assertEquals(Patterns.sha256(Patterns.bytes(DType.UINT8, 4096, (int) (frameId % 7))),
                        row.get("sha").asText(), "frame " + frameId + " intact");
                assertEquals(previous < 0 ? 0 : count - previous - 1, row.get("missed").asLong(),
                        "missed counts the publications skipped: " + rows);
                previous = count;
            }
            writer.kill();
        }
    }

    @Test
    void pyarrowPutsAndPyshmemReads() throws Exception {
        String name = name("pa-put");
        String[] shas = python("put", uri, name, "int16", "3", "2", "3", "4").get(0).split(" ");
        assertEquals("put", shas[0], String.join(" ", shas));
        JsonNode read = lines(python("pyshmem-read", name)).get(0);
        assertEquals("int16", read.get("dtype").asText());
        assertEquals("[2,3,4]", read.get("shape").toString());
        assertEquals(102, read.get("frame_id").asLong());
        assertEquals(3, read.get("count").asLong());
        assertEquals(shas[3], read.get("sha").asText());
        assertEquals(3, server.stats().framesReceived());

        // Into an existing (pyshmem-made) stream of the same type: appended.
        python("put", uri, name, "int16", "2", "2", "3", "4");
        assertEquals(5, lines(python("pyshmem-read", name)).get(0).get("count").asLong());
    }

    @Test
    void aBadPutLeavesTheStreamUntouched() throws Exception {
        String name = name("pa-bad");
        python("pyshmem-create", name, "float32", "5", "4", "4");
        byte[] before = payload(name);

        String wrongDtype = python("put", uri, name, "float64", "1", "4", "4").get(0);
        // pyarrow raises ArrowInvalid for Flight's INVALID_ARGUMENT.
        assertTrue(wrongDtype.startsWith("error ArrowInvalid"), wrongDtype);
        assertTrue(wrongDtype.contains("is float32 [4, 4] but the rows are float64 [4, 4]"), wrongDtype);
        String wrongShape = python("put", uri, name, "float32", "1", "4", "5").get(0);
        assertTrue(wrongShape.startsWith("error ArrowInvalid"), wrongShape);
        assertTrue(wrongShape.contains("float32 [4, 5]"), wrongShape);
        String wrongType = python("put-plain", uri, name).get(0);
        assertTrue(wrongType.startsWith("error ArrowInvalid"), wrongType);
        assertTrue(wrongType.contains("no arrow.fixed_shape_tensor column"), wrongType);

        assertUntouched(name, before);
    }

    @Test
    void aPutWithNullTensorValuesLeavesTheStreamUntouched() throws Exception {
        String name = name("pa-null");
        python("pyshmem-create", name, "float32", "5", "4", "4");
        byte[] before = payload(name);

        // Rows 0 and 1 are whole; row 2 has one null value: the batch is refused before its first row.
        String refused = python("put-null-values", uri, name).get(0);
        assertTrue(refused.startsWith("error ArrowInvalid"), refused);
        assertTrue(refused.contains("row 2 has null tensor values"), refused);

        assertUntouched(name, before);
    }

    /** The stream still holds pyshmem's one publication (frame id 5) and nothing reached the server. */
    private void assertUntouched(String name, byte[] before) throws Exception {
        try (SharedMemory shm = SharedMemory.open(name)) {
            assertEquals(1, shm.count(), "nothing was published");
            assertEquals(5, shm.frameId());
        }
        assertArrayEquals(before, payload(name));
        assertEquals(0, server.stats().framesReceived());
    }

    @Test
    void concurrentPutsCreatingTheSameStreamBothLand() throws Exception {
        String name = name("pa-race");
        // Four clients put into a name that does not exist yet: one creates it, the others find it
        // created (between their open and their create, at worst) and append to it.
        List<PeerProcess> puts = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                puts.add(PeerProcess.python("flight_peer.py", "put", uri, name, "uint16", "3", "8", "8"));
            }
            for (PeerProcess put : puts) {
                String line = put.finish(PEER).get(0);
                assertTrue(line.startsWith("put "), line);
            }
        } finally {
            puts.forEach(PeerProcess::close);
        }
        JsonNode read = lines(python("pyshmem-read", name)).get(0);
        assertEquals("uint16", read.get("dtype").asText());
        assertEquals("[8,8]", read.get("shape").toString());
        assertEquals(12, read.get("count").asLong());
        assertEquals(12, server.stats().framesReceived());
    }

    @Test
    void actionsReturnJson() throws Exception {
        String name = name("pa-act");
        python("pyshmem-create", name, "complex64", "1", "2", "2");
        JsonNode stat = JSON.readTree(python("action", uri, "stat", name).get(0));
        assertEquals(name, stat.get("name").asText());
        assertEquals("complex64", stat.get("dtype").asText());
        assertEquals("[2,2]", stat.get("shape").toString());
        assertEquals(1, stat.get("count").asLong());
        JsonNode list = JSON.readTree(python("action", uri, "list", "").get(0));
        boolean found = false;
        for (JsonNode node : list) {
            found |= node.get("name").asText().equals(name);
        }
        assertTrue(found, list::toString);
    }

    private static byte[] payload(String name) {
        try (SharedMemory shm = SharedMemory.open(name); Publication p = shm.readPublication()) {
            byte[] bytes = new byte[Math.toIntExact(shm.size())];
            p.payload().getBytes(0, bytes);
            return bytes;
        }
    }

    static List<String> python(String... args) {
        try (PeerProcess peer = PeerProcess.python("flight_peer.py", args)) {
            return peer.finish(PEER);
        }
    }

    static List<JsonNode> lines(List<String> output) throws Exception {
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : output) {
            if (line.startsWith("{")) {
                nodes.add(JSON.readTree(line));
            }
        }
        return nodes;
    }
}

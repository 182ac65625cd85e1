package io.arrowshm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.arrowshm.CreateOptions;
import io.arrowshm.DType;
import io.arrowshm.SharedMemory;
import io.arrowshm.testing.Names;
import io.arrowshm.testing.PeerProcess;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/** {@code list} and {@code stat} against a stream made by this JVM and one made by pyshmem. */
class ListStatIT {
    private static final Duration PEER_TIMEOUT = Duration.ofSeconds(60);

    @Test
    void listShowsJavaAndPyshmemStreams() {
        String javaName = Names.unique("cli-list-java");
        String pythonName = Names.unique("cli-list-py");
        try (SharedMemory java = SharedMemory.create(javaName, CreateOptions.of(DType.FLOAT32, 2, 3).notify(true))) {
            java.write(new float[6], 42L);
            makeWithPyshmem(pythonName, "uint16", "4", "5");

            Cli.Result table = Cli.run("list").ok();
            String javaRow = row(table, javaName);
            assertTrue(javaRow.matches(".*\\s+float32\\s+2x3\\s+24 B\\s+1\\s+\\S+ \\S*s\\s+"
                    + ProcessHandle.current().pid() + " alive\\s+notify"), javaRow);
            String pythonRow = row(table, pythonName);
            assertTrue(pythonRow.matches(".*\\s+uint16\\s+4x5\\s+40 B\\s+0\\s+never\\s+\\d+ gone\\s+-"), pythonRow);
            assertTrue(table.outLines().get(0).startsWith("NAME "), table::toString);

            JsonNode streams = Cli.run("list", "--json").ok().json();
            assertTrue(streams.isArray());
            JsonNode javaJson = find(streams, javaName);
            assertEquals("float32", javaJson.get("dtype").asText());
            assertEquals(List.of(2L, 3L), longs(javaJson.get("shape")));
            assertEquals(1, javaJson.get("count").asLong());
            assertTrue(javaJson.get("notify").asBoolean());
            assertTrue(javaJson.get("creator_alive").asBoolean());
            assertEquals(ProcessHandle.current().pid(), javaJson.get("creator_pid").asLong());
            JsonNode pythonJson = find(streams, pythonName);
            assertEquals(List.of(4L, 5L), longs(pythonJson.get("shape")));
            assertFalse(pythonJson.get("creator_alive").asBoolean(), "the pyshmem process has exited");
            assertTrue(pythonJson.get("age").isNull(), "never written: no age");
        } finally {
            SharedMemory.unlink(javaName);
            SharedMemory.unlink(pythonName);
        }
    }

    @Test
    void statPrintsEverythingStreamInfoKnows() {
        String name = Names.unique("cli-stat");
        try (SharedMemory shm = SharedMemory.create(name, DType.COMPLEX64, 3)) {
            shm.write(new float[6]);
            shm.write(new float[6]);

            List<String> lines = Cli.run("stat", name).ok().outLines();
            assertTrue(lines.contains("name:             " + name), lines::toString);
            assertTrue(lines.contains("shape:            (3,)"), lines::toString);
            assertTrue(lines.contains("dtype:            complex64"), lines::toString);
            assertTrue(lines.contains("size:             24 (24 B)"), lines::toString);
            assertTrue(lines.contains("count:            2"), lines::toString);
            assertTrue(lines.contains("write_sequence:   4"), lines::toString);
            assertTrue(lines.contains("creator_alive:    true"), lines::toString);
            assertTrue(lines.contains("metadata_version: 3"), lines::toString);

            JsonNode json = Cli.run("stat", "--json", name).ok().json();
            List<String> keys = List.of("name", "shape", "dtype", "size", "gpu_enabled", "gpu_device", "cpu_mirror",
                    "notify", "instance_id", "creator_pid", "creator_alive", "count", "write_sequence",
                    "write_time", "age", "metadata_version");
            assertEquals(keys, fieldNames(json));
            assertEquals(shm.instanceId().orElseThrow(), json.get("instance_id").asText());
            assertEquals(shm.writeTime(), json.get("write_time").asDouble());
            assertTrue(json.get("gpu_device").isNull());
            assertTrue(json.get("age").asDouble() >= 0);
        } finally {
            SharedMemory.unlink(name);
        }
    }

    @Test
    void statOfAPyshmemStreamMatchesPyshmemStat() {
        String name = Names.unique("cli-stat-py");
        try {
            makeWithPyshmem(name, "int64", "7");
            JsonNode ours = Cli.run("stat", "--json", name).ok().json();
            try (PeerProcess python = PeerProcess.python("cli_peer.py", "stat", name)) {
                JsonNode theirs = Cli.json(python.finish(PEER_TIMEOUT).get(0));
                theirs.fieldNames().forEachRemaining(key -> {
                    if (!key.equals("creator_alive")) { // pyshmem's creator exited between the two reads either way
                        assertEquals(theirs.get(key), ours.get(key), key);
                    }
                });
            }
        } finally {
            SharedMemory.unlink(name);
        }
    }

    @Test
    void missingStreamExitsTwo() {
        Cli.Result result = Cli.run("stat", Names.unique("cli-missing")).fails(ExitStatus.STREAM);
        assertTrue(result.stderr.contains("does not exist"), result::toString);
        Cli.run("stat", "--json", Names.unique("cli-missing")).fails(ExitStatus.STREAM);
    }

    static void makeWithPyshmem(String name, String dtype, String... shape) {
        String[] args = new String[3 + shape.length];
        args[0] = name;
        args[1] = dtype;
        args[2] = "plain";
        System.arraycopy(shape, 0, args, 3, shape.length);
        try (PeerProcess python = PeerProcess.python("cli_peer.py", prepend("create", args))) {
            assertEquals(List.of("created"), python.finish(PEER_TIMEOUT));
        }
    }

    private static String[] prepend(String first, String[] rest) {
        String[] all = new String[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

    private static String row(Cli.Result table, String name) {
        Optional<String> row = table.outLines().stream().filter(line -> line.startsWith(name + " ")).findFirst();
        assertTrue(row.isPresent(), () -> name + " not listed: " + table);
        return row.get();
    }

    private static JsonNode find(JsonNode streams, String name) {
        JsonNode found = StreamSupport.stream(streams.spliterator(), false)
                .filter(s -> s.get("name").asText().equals(name)).findFirst().orElse(null);
        assertNotNull(found, () -> name + " not in " + streams);
        return found;
    }

    private static List<Long> longs(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asLong).toList();
    }

    private static List<String> fieldNames(JsonNode object) {
        List<String> names = new java.util.ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }
}

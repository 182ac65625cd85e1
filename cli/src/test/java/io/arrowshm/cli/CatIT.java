package io.arrowshm.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.arrowshm.DType;
import io.arrowshm.SharedMemory;
import io.arrowshm.testing.Names;
import io.arrowshm.testing.Patterns;
import io.arrowshm.testing.PeerProcess;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * {@code cat} prints what NumPy prints: pyshmem publishes each case's array and reports
 * {@code str(array)} from the real NumPy, and the jar's output must equal it character for
 * character.
 */
class CatIT {
    private static final Duration PEER_TIMEOUT = Duration.ofSeconds(60);

    @ParameterizedTest
    @ValueSource(strings = {"float32-small", "float16", "float16-grid", "bool", "complex64", "complex128-sci",
            "float64-special", "float64-wrap", "int32-summary", "uint64", "int8", "float32-3d-summary",
            "float32-large"})
    void printsLikeNumpy(String numpyCase) {
        String name = Names.unique("cli-cat");
        try {
            JsonNode made = make(name, numpyCase, "9");
            Cli.Result cat = Cli.run("cat", name).ok();
            List<String> lines = cat.outLines();
            String shape = made.get("shape").size() == 1 ? "(" + made.get("shape").get(0) + ",)"
                    : made.get("shape").toString().replace("[", "(").replace("]", ")").replace(",", ", ");
            assertTrue(lines.get(0).startsWith("# " + name + ": " + made.get("dtype").asText() + " " + shape
                    + ", count 1, frame_id 9, written "), lines.get(0));
            assertEquals(made.get("expected").asText(), String.join("\n", lines.subList(1, lines.size())));
        } finally {
            SharedMemory.unlink(name);
        }
    }

    @Test
    void fullPrintsEveryElement() {
        String name = Names.unique("cli-cat-full");
        try {
            JsonNode made = make(name, "int32-summary", "1");
            List<String> lines = Cli.run("cat", "--full", name).ok().outLines();
            String body = String.join("\n", lines.subList(1, lines.size()));
            assertEquals(made.get("full").asText(), body);
            assertFalse(body.contains("..."));
        } finally {
            SharedMemory.unlink(name);
        }
    }

    @Test
    void rawWritesThePayloadBytesOnly() {
        String name = Names.unique("cli-cat-raw");
        try (SharedMemory shm = SharedMemory.create(name, DType.FLOAT64, 300, 7)) {
            byte[] bytes = Patterns.bytes(DType.FLOAT64, shm.size(), 5);
            shm.write(bytes);
            Cli.Result raw = Cli.run("cat", "--raw", name).ok();
            assertEquals(Patterns.sha256(bytes), Patterns.sha256(raw.stdout));
            assertArrayEquals(bytes, raw.stdout);
        } finally {
            SharedMemory.unlink(name);
        }
    }

    @Test
    void aStreamNeverWrittenPrintsItsZeros() {
        String name = Names.unique("cli-cat-empty");
        try (SharedMemory shm = SharedMemory.create(name, DType.BOOL, 2, 2)) {
            List<String> lines = Cli.run("cat", name).ok().outLines();
            assertEquals(List.of("# " + name + ": bool (2, 2), count 0, frame_id 0, never written",
                    "[[False False]", " [False False]]"), lines);
            assertEquals(0, shm.count(), "cat only reads");
        } finally {
            SharedMemory.unlink(name);
        }
    }

    @Test
    void missingStreamExitsTwo() {
        Cli.run("cat", Names.unique("cli-cat-missing")).fails(ExitStatus.STREAM);
        Cli.run("cat", "--raw", Names.unique("cli-cat-missing")).fails(ExitStatus.STREAM);
    }

    private static JsonNode make(String name, String numpyCase, String frameId) {
        try (PeerProcess python = PeerProcess.python("cli_peer.py", "make", name, numpyCase, frameId)) {
            return Cli.json(python.finish(PEER_TIMEOUT).get(0));
        }
    }
}

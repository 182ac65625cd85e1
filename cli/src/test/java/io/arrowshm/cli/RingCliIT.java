package io.arrowshm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.arrowshm.DType;
import io.arrowshm.Overflow;
import io.arrowshm.Ring;
import io.arrowshm.RingOptions;
import io.arrowshm.RingReader;
import io.arrowshm.RingWriter;
import io.arrowshm.testing.Names;
import java.time.Duration;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The CLI on rings, through the packaged jar: list, stat, watch, cursor list and drop, unlink. */
class RingCliIT {
    private final String name = Names.unique("cli-ring");

    @AfterEach
    void removeRing() {
        Ring.unlink(name);
    }

    @Test
    void listStatAndCursorsShowTheRingAndItsReaders() {
        try (Ring ring = Ring.create(name, RingOptions.of(DType.FLOAT32, 4, 4).capacity(8).overflow(Overflow.BLOCK));
             RingWriter writer = ring.writer();
             RingReader live = ring.reader("trainer")) {
            ring.reader("gone").close();
            for (int i = 0; i < 5; i++) {
                writer.write(new float[16]);
            }
            live.take(Duration.ofSeconds(1)).close();

            Cli.Result table = Cli.run("list").ok();
            String row = table.outLines().stream().filter(l -> l.startsWith(name + " ")).findFirst().orElseThrow();
            assertTrue(row.matches(".*\\s+float32\\s+4x4\\s+64 B\\s+5\\s+-\\s+\\d+ alive\\s+ring,8 slots,block,2 cursors"), row);

            JsonNode stat = Cli.run("stat", name, "--json").ok().json();
            assertEquals("ring", stat.get("kind").asText());
            assertEquals(8, stat.get("capacity").asLong());
            assertEquals(5, stat.get("write_position").asLong());
            assertEquals("BLOCK", stat.get("overflow").asText());
            assertEquals(ProcessHandle.current().pid(), stat.get("writer_pid").asLong());
            JsonNode trainer = cursor(stat.get("cursors"), "trainer");
            assertEquals(1, trainer.get("position").asLong());
            assertEquals(4, trainer.get("lag").asLong());
            assertTrue(trainer.get("live").asBoolean());
            assertEquals(ProcessHandle.current().pid(), trainer.get("pid").asLong());
            JsonNode gone = cursor(stat.get("cursors"), "gone");
            assertFalse(gone.get("live").asBoolean());
            assertTrue(gone.get("pid").isNull());

            Cli.Result text = Cli.run("stat", name).ok();
            assertTrue(text.out().contains("write_position:   5"), text.out());
            assertTrue(text.out().matches("(?s).*trainer\\s+1\\s+4\\s+" + ProcessHandle.current().pid() + " live\\s+yes.*"),
                    text.out());

            Cli.Result cursors = Cli.run("cursor", "list", name).ok();
            assertTrue(cursors.out().contains("gone"), cursors.out());

            Cli.Result refused = Cli.run("cursor", "drop", name, "trainer");
            assertEquals(2, refused.status, refused.toString());
            assertTrue(refused.stderr.contains("attached by pid"), refused.stderr);
            assertEquals("gone", Cli.run("cursor", "drop", name, "gone").ok().out().strip());
            assertEquals(1, ring.cursors().size());
            assertEquals(2, Cli.run("cursor", "drop", name, "never").status);
        }
    }

    @Test
    void watchSamplesTheWriteRateAndLagsWithoutACursorOfItsOwn() throws Exception {
        try (Ring ring = Ring.create(name, RingOptions.of(DType.UINT8, 8).capacity(4).overflow(Overflow.OVERWRITE));
             RingWriter writer = ring.writer()) {
            java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
            Thread writing = new Thread(() -> {
                while (running.get()) {
                    writer.write(new byte[8]);
                    java.util.concurrent.locks.LockSupport.parkNanos(10_000_000);
                }
            });
            writing.start();
            try {
                JsonNode summary = Cli.run("watch", name, "--seconds", "1", "--json").ok().json();
                assertEquals("ring", summary.get("kind").asText());
                assertTrue(summary.get("written").asLong() > 10, summary.toString());
                assertTrue(ring.cursors().isEmpty(), "watch made no cursor");
            } finally {
                running.set(false);
            }
        }
    }

    @Test
    void unlinkRemovesARing() {
        Ring.create(name, RingOptions.of(DType.UINT8, 8)).close();
        assertEquals(name, Cli.run("unlink", name).ok().out().strip());
        assertFalse(Ring.list().contains(name));
        Cli.Result again = Cli.run("unlink", name);
        assertEquals(2, again.status);
        assertTrue(again.stderr.contains("no such stream or ring"), again.stderr);
    }

    private static JsonNode cursor(JsonNode cursors, String name) {
        return StreamSupport.stream(cursors.spliterator(), false).filter(c -> c.get("name").asText().equals(name))
                .findFirst().orElseThrow();
    }
}

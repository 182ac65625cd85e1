package io.arrowshm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.arrowshm.SharedMemory;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code bench} completes, with its child JVM started from the jar, and reports its figures.
 * The figures themselves are this machine's business: nothing here judges them.
 */
class BenchIT {
    @Test
    void reportsBothFiguresAsJson() {
        JsonNode result = Cli.run("bench", "--rounds", "100", "--size", "4096", "--json").ok().json();
        assertEquals(4096, result.get("frame_bytes").asInt());
        assertEquals(800, result.get("write_read_rounds").asInt(), "ten times the rounds, less a fifth of warm-up");
        assertEquals(80, result.get("ping_pong_rounds").asInt());
        for (String key : List.of("write_read_median_us", "write_read_p90_us", "ping_pong_median_us",
                "ping_pong_p90_us")) {
            assertTrue(result.get(key).isNumber() && result.get(key).asDouble() > 0, key + " in " + result);
        }
        assertTrue(result.get("ping_pong_p90_us").asDouble() >= result.get("ping_pong_median_us").asDouble());
    }

    @Test
    void printsTwoLinesAndLeavesNoStreamBehind() {
        Cli.Result bench = Cli.run("bench", "--rounds", "50").ok();
        List<String> lines = bench.outLines();
        assertEquals(2, lines.size(), bench::toString);
        assertTrue(lines.get(0).matches("write\\+read of a 64\\.0 KiB frame, one process: +median +[0-9.]+ us +p90 +"
                + "[0-9.]+ us +\\(400 rounds\\)"), lines.get(0));
        assertTrue(lines.get(1).matches("ping-pong of 64 B, two JVMs, notify: +median +[0-9.]+ us +p90 +[0-9.]+ us"
                + " +\\(40 rounds\\)"), lines.get(1));
        assertTrue(SharedMemory.listStreams().stream().noneMatch(name -> name.startsWith("arrow-shm-bench-")),
                "bench unlinks its streams");
    }
}

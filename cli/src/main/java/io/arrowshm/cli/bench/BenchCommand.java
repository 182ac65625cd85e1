package io.arrowshm.cli.bench;

import io.arrowshm.cli.ExitStatus;
import io.arrowshm.cli.Json;
import io.arrowshm.cli.Units;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code arrow-shm bench}: two quick figures for this machine, in a few seconds: the median
 * write-then-read of one frame in one process, and the median ping-pong round trip between
 * this JVM and a child JVM over notify streams.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Measure round trips on this machine (a few seconds).",
                "A write+read of one frame in one process, and a ping-pong between this JVM and a child JVM over "
                        + "notify streams; prints medians and 90th percentiles."})
public final class BenchCommand implements Callable<Integer> {
    /** The first fifth of each run is JIT and cache warm-up, not the steady state being reported. */
    private static final double WARMUP = 0.2;
    private static final int PING_BYTES = 64;

    @Spec
    private CommandSpec spec;

    @Option(names = "--size", paramLabel = "BYTES", defaultValue = "65536",
            description = "Frame size of the write+read figure (default ${DEFAULT-VALUE}).")
    private int size;

    @Option(names = "--rounds", paramLabel = "N", defaultValue = "2000",
            description = "Ping-pong round trips (default ${DEFAULT-VALUE}); the write+read runs ten times as many.")
    private int rounds;

    @Option(names = "--json", description = "Print one JSON object (times in microseconds).")
    private boolean json;

    private static String line(String what, Object median, Object p90, Object rounds) {
        return String.format(Locale.ROOT, "%-46s median %8.1f us   p90 %8.1f us   (%d rounds)", what + ":", median, p90,
                rounds);
    }

    @Override
    public Integer call() throws Exception {
        if (size <= 0 || rounds < 10 || rounds > 10_000_000) {
            throw new IllegalArgumentException("--size must be positive and --rounds between 10 and 10000000, got "
                    + size + " and " + rounds);
        }
        Samples local = LocalRoundTrip.run(size, rounds * 10);
        Samples pingPong = PingPong.run(PING_BYTES, rounds);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("frame_bytes", size);
        result.put("write_read_median_us", local.quantileMicros(0.5, WARMUP));
        result.put("write_read_p90_us", local.quantileMicros(0.9, WARMUP));
        result.put("write_read_rounds", local.measured(WARMUP));
        result.put("ping_pong_bytes", PING_BYTES);
        result.put("ping_pong_median_us", pingPong.quantileMicros(0.5, WARMUP));
        result.put("ping_pong_p90_us", pingPong.quantileMicros(0.9, WARMUP));
        result.put("ping_pong_rounds", pingPong.measured(WARMUP));
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.write(result));
        } else {
            out.println(line("write+read of a " + Units.bytes(size) + " frame, one process",
                    result.get("write_read_median_us"), result.get("write_read_p90_us"), result.get("write_read_rounds")));
            out.println(line("ping-pong of " + PING_BYTES + " B, two JVMs, notify", result.get("ping_pong_median_us"),
                    result.get("ping_pong_p90_us"), result.get("ping_pong_rounds")));
        }
        out.flush();
        return ExitStatus.OK;
    }
}

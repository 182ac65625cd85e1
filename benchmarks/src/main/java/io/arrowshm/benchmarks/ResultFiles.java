package io.arrowshm.benchmarks;

import com.google.gson.GsonBuilder;
import io.arrowshm.benchmarks.report.MarkdownReport;
import io.arrowshm.benchmarks.report.Results;
import io.arrowshm.benchmarks.report.RoundTripPlot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes a run's three outputs: results.json (every figure), results.md (tables and targets), roundtrip.png. */
public final class ResultFiles {
    public static final String JSON = "results.json";
    public static final String MARKDOWN = "results.md";
    public static final String PLOT = "roundtrip.png";

    private ResultFiles() {
    }

    public static void write(Results results, Path out) throws IOException {
        Files.createDirectories(out);
        Files.writeString(out.resolve(JSON), new GsonBuilder().setPrettyPrinting().serializeNulls().create()
                .toJson(results));
        Files.writeString(out.resolve(MARKDOWN), MarkdownReport.render(results));
        try {
            RoundTripPlot.write(results.roundTrips(), "arrow-shm vs pyshmem: 64 KiB request/ack round trip ("
                    + results.mode() + " run, " + results.machine().cpuModel() + ")", out.resolve(PLOT));
        } catch (IOException | RuntimeException | Error e) {
            // A JDK without fonts cannot draw text; the figures are in the JSON and the table anyway.
            System.err.println("roundtrip.png not drawn: " + e);
        }
    }
}

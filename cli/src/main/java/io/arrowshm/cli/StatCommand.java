package io.arrowshm.cli;

import io.arrowshm.SharedMemory;
import io.arrowshm.StreamInfo;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code arrow-shm stat NAME}: everything the metadata says, read without mapping the payload. */
@Command(name = "stat", mixinStandardHelpOptions = true,
        description = "Show a stream's metadata and live counters (its payload is not mapped).")
final class StatCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Parameters(paramLabel = "NAME", description = "The stream's name.")
    private String name;

    @Option(names = "--json", description = "Print one JSON object (pyshmem.stat's keys, plus age and metadata_version).")
    private boolean json;

    @Override
    public Integer call() {
        StreamInfo info = SharedMemory.stat(name);
        Map<String, Object> fields = StreamFields.of(info);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.write(fields));
        } else {
            for (Map.Entry<String, Object> field : fields.entrySet()) {
                out.printf("%-17s %s%n", field.getKey() + ":", text(field.getKey(), field.getValue(), info));
            }
        }
        out.flush();
        return ExitStatus.OK;
    }

    private static String text(String key, Object value, StreamInfo info) {
        switch (key) {
            case "shape":
                return Units.shape(info.shape());
            case "size":
                return info.size() + " (" + Units.bytes(info.size()) + ")";
            case "write_time":
                return info.writeTime() <= 0 ? "0.0 (never written)"
                        : String.format(Locale.ROOT, "%.6f (%s)", info.writeTime(),
                                Instant.ofEpochMilli((long) (info.writeTime() * 1000)));
            case "age":
                return Units.age(info.writeTime());
            default:
                return value == null ? "None" : String.valueOf(value);
        }
    }
}

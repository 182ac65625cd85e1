package io.arrowshm.cli;

import io.arrowshm.Ring;
import io.arrowshm.RingInfo;
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

/**
 * {@code arrow-shm stat NAME}: everything the metadata says, read without mapping the payload; for
 * a ring, its header, write position, writer, and every cursor with its lag and liveness.
 */
@Command(name = "stat", mixinStandardHelpOptions = true,
        description = {"Show a stream's metadata and live counters (its payload is not mapped),",
                "or a ring's header, write position, writer and cursors (name, position, lag, reader, liveness)."})
final class StatCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Parameters(paramLabel = "NAME", description = "The stream's name.")
    private String name;

    @Option(names = "--json", description = "Print one JSON object (pyshmem.stat's keys, plus age and metadata_version).")
    private boolean json;

    @Override
    public Integer call() {
        if (!SharedMemory.listStreams().contains(name) && Ring.list().contains(name)) {
            return ring(Ring.stat(name));
        }
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

    private int ring(RingInfo info) {
        Map<String, Object> fields = RingFields.of(info);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.write(fields));
        } else {
            for (Map.Entry<String, Object> field : fields.entrySet()) {
                if (!field.getKey().equals("cursors")) {
                    Object value = field.getKey().equals("shape") ? Units.shape(info.shape()) : field.getValue();
                    out.printf("%-17s %s%n", field.getKey() + ":", value == null ? "None" : value);
                }
            }
            out.println();
            out.print(info.cursors().isEmpty() ? "no cursors\n" : RingFields.cursorTable(info).toString());
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

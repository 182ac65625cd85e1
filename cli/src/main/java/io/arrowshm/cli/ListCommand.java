package io.arrowshm.cli;

import io.arrowshm.InvalidMetadataException;
import io.arrowshm.Ring;
import io.arrowshm.RingInfo;
import io.arrowshm.SharedMemory;
import io.arrowshm.StreamInfo;
import io.arrowshm.StreamNotFoundException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code arrow-shm list}: one row per valid stream, whichever language created it, then one per ring. */
@Command(name = "list", mixinStandardHelpOptions = true,
        description = "List every valid stream (Java- or Python-created) and ring on this host.")
final class ListCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--json", description = "Print a JSON array of the streams' fields (as 'stat --json').")
    private boolean json;

    @Override
    public Integer call() {
        List<StreamInfo> streams = new ArrayList<>();
        for (String name : SharedMemory.listStreams()) {
            try {
                streams.add(SharedMemory.stat(name));
            } catch (StreamNotFoundException | InvalidMetadataException gone) {
                // Unlinked or being replaced since the directory scan: it is no longer there to list.
            }
        }
        List<RingInfo> rings = new ArrayList<>();
        for (String name : Ring.list()) {
            try {
                rings.add(Ring.stat(name));
            } catch (StreamNotFoundException | InvalidMetadataException gone) {
                // unlinked since the scan
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            List<Object> all = new ArrayList<>(streams.stream().map(StreamFields::of).collect(Collectors.toList()));
            rings.forEach(ring -> all.add(RingFields.of(ring)));
            out.println(Json.write(all));
        } else if (streams.isEmpty() && rings.isEmpty()) {
            spec.commandLine().getErr().println("no streams found");
        } else {
            TextTable table = new TextTable("NAME", "DTYPE", "SHAPE", "SIZE", "COUNT", "AGE", "CREATOR", "FLAGS");
            for (StreamInfo info : streams) {
                table.row(info.name(), info.dtype().numpyName(), dims(info.shape()), Units.bytes(info.size()),
                        Long.toString(info.count()), Units.age(info.writeTime()),
                        info.creatorPid() + (info.creatorAlive() ? " alive" : " gone"), StreamFields.flags(info));
            }
            for (RingInfo ring : rings) {
                table.row(ring.name(), ring.dtype().numpyName(), dims(ring.shape()), Units.bytes(ring.slotSize()),
                        Long.toString(ring.writePosition()), "-",
                        ring.creatorPid() + (ring.creatorAlive() ? " alive" : " gone"), RingFields.flags(ring));
            }
            out.print(table);
        }
        out.flush();
        spec.commandLine().getErr().flush();
        return ExitStatus.OK;
    }

    private static String dims(long[] shape) {
        StringBuilder out = new StringBuilder();
        for (long dim : shape) {
            out.append(out.length() > 0 ? "x" : "").append(dim);
        }
        return out.toString();
    }
}

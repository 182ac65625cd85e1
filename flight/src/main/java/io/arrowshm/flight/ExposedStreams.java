package io.arrowshm.flight;

import io.arrowshm.SharedMemory;
import io.arrowshm.SharedMemoryException;
import io.arrowshm.StreamInfo;
import java.util.ArrayList;
import java.util.List;

/** The host's streams that a server exposes, Java- or pyshmem-made, with their facts. */
final class ExposedStreams {
    private ExposedStreams() {
    }

    static List<StreamInfo> list(StreamPatterns exposed) {
        List<StreamInfo> infos = new ArrayList<>();
        for (String name : SharedMemory.listStreams()) {
            if (!exposed.exposes(name)) {
                continue;
            }
            try {
                infos.add(SharedMemory.stat(name));
            } catch (SharedMemoryException vanished) {
                // Unlinked (or rewritten) between the listing and the stat: not there to serve.
            }
        }
        return infos;
    }
}

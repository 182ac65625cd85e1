package io.arrowshm;

import java.util.Arrays;

/** pyshmem's {@code describe()}: one {@code key: value} line per fact of a handle. */
final class Description {
    private Description() {
    }

    static String of(SharedMemory shm) {
        double age = shm.age();
        return String.join("\n",
                "name:         " + shm.name(),
                "shape:        " + Arrays.toString(shm.shape()),
                "dtype:        " + shm.dtype().numpyName(),
                "size:         " + shm.size(),
                "gpu_enabled:  " + shm.gpuEnabled(),
                "gpu_device:   " + shm.gpuDevice().orElse("None"),
                "cpu_mirror:   " + shm.cpuMirror(),
                "count:        " + shm.count(),
                "write_time:   " + shm.writeTime(),
                "write_seq:    " + shm.writeSequence(),
                "frame_id:     " + Long.toUnsignedString(shm.frameId()),
                "owner:        " + shm.owner(),
                "readonly:     " + shm.readOnly(),
                "creator_pid:  " + shm.creatorPid(),
                "producer:     " + (shm.producerAlive() ? "alive" : "gone"),
                "age:          " + (Double.isInfinite(age) ? "never written" : String.format("%.6f s", age)),
                "notify:       " + shm.notifyEnabled());
    }
}

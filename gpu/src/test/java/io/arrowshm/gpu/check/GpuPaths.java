package io.arrowshm.gpu.check;

import io.arrowshm.CreateOptions;
import io.arrowshm.DType;
import io.arrowshm.OpenOptions;
import io.arrowshm.SharedMemory;
import io.arrowshm.gpu.CudaPathOptions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The CUDA paths the device check compares. A handle reads the {@code arrowshm.gpu.*}
 * properties when it is created or opened, so each path is a set of properties held around a
 * create or open; checks run one at a time, so nothing else sees them.
 */
enum GpuPaths {
    /** What ran before: pageable host copies, cuCtxSynchronize. */
    DEFAULT("pageable (default)", Map.of()),
    STAGED("pinned staging", Map.of(CudaPathOptions.PINNED_STAGING, "true")),
    EVENT("event sync", Map.of(CudaPathOptions.EVENT_SYNC, "true")),
    STAGED_EVENT("pinned staging + event sync", Map.of(CudaPathOptions.PINNED_STAGING, "true",
            CudaPathOptions.EVENT_SYNC, "true")),
    RANGE_CHECK("cuMemGetAddressRange check", Map.of(CudaPathOptions.CHECK_ALLOCATION_RANGE, "true"));

    final String label;
    final Map<String, String> properties;

    GpuPaths(String label, Map<String, String> properties) {
        this.label = label;
        this.properties = properties;
    }

    /** A GPU stream of float32 {@code shape} on cuda:0 whose handle takes this path. */
    SharedMemory create(String name, boolean mirror, long... shape) throws Exception {
        return with(() -> SharedMemory.create(name, CreateOptions.of(DType.FLOAT32, shape).gpuDevice("cuda:0")
                .cpuMirror(mirror)));
    }

    /** {@code name} opened on cuda:0 by a handle that takes this path. */
    SharedMemory open(String name) throws Exception {
        return with(() -> SharedMemory.open(name, OpenOptions.gpuDevice("cuda:0")));
    }

    /** The JVM flags that choose this path in a child JVM. */
    String[] jvmFlags() {
        return properties.entrySet().stream().map(e -> "-D" + e.getKey() + "=" + e.getValue()).toArray(String[]::new);
    }

    private <T> T with(Callable<T> body) throws Exception {
        Map<String, String> before = new LinkedHashMap<>();
        for (String key : new String[] {CudaPathOptions.PINNED_STAGING, CudaPathOptions.STAGING_CHUNK_BYTES,
                CudaPathOptions.EVENT_SYNC, CudaPathOptions.CHECK_ALLOCATION_RANGE}) {
            before.put(key, System.getProperty(key));
            System.clearProperty(key);
        }
        properties.forEach(System::setProperty);
        try {
            return body.call();
        } finally {
            before.forEach((key, value) -> {
                if (value == null) {
                    System.clearProperty(key);
                } else {
                    System.setProperty(key, value);
                }
            });
        }
    }
}

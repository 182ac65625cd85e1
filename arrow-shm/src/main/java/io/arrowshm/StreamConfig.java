package io.arrowshm;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A stream's declarative configuration, pyshmem's {@code to_config()} dict: enough to create
 * an identical stream elsewhere with {@link SharedMemory#createFromConfig(StreamConfig)}.
 */
public record StreamConfig(String name, long[] shape, DType dtype, Optional<String> gpuDevice, boolean cpuMirror,
                           boolean notifyEnabled) {
    public StreamConfig {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Equal when every component is, the shape compared by content (a record alone compares arrays by identity). */
    @Override
    public boolean equals(Object other) {
        return other instanceof StreamConfig o && name.equals(o.name) && Arrays.equals(shape, o.shape)
                && dtype == o.dtype && gpuDevice.equals(o.gpuDevice) && cpuMirror == o.cpuMirror
                && notifyEnabled == o.notifyEnabled;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, Arrays.hashCode(shape), dtype, gpuDevice, cpuMirror, notifyEnabled);
    }

    @Override
    public String toString() {
        return "StreamConfig[" + name + ", " + dtype.numpyName() + Arrays.toString(shape)
                + gpuDevice.map(d -> ", " + d).orElse("") + (notifyEnabled ? ", notify" : "") + "]";
    }

    /** The same keys and values as pyshmem's {@code to_config()} (shape as a list, dtype as its NumPy name). */
    public Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("name", name);
        map.put("shape", Arrays.stream(shape).boxed().toList());
        map.put("dtype", dtype.numpyName());
        map.put("gpu_device", gpuDevice.orElse(null));
        map.put("cpu_mirror", cpuMirror);
        map.put("notify", notifyEnabled);
        return map;
    }

    CreateOptions toCreateOptions() {
        CreateOptions options = CreateOptions.of(dtype, shape).notify(notifyEnabled);
        gpuDevice.ifPresent(device -> options.gpuDevice(device).cpuMirror(cpuMirror));
        return options;
    }
}

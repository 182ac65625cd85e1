package io.arrowshm.gpuseam;

import io.arrowshm.CreateOptions;
import io.arrowshm.DType;
import io.arrowshm.OpenOptions;
import io.arrowshm.SharedMemory;
import io.arrowshm.internal.format.MetadataLayout;
import io.arrowshm.internal.format.StreamNames;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** Helpers of the host-memory seam tests. */
final class GpuStreams {
    static final Path SHM = Path.of("/dev/shm");

    private GpuStreams() {
    }

    static SharedMemory create(String name, boolean mirror) {
        return SharedMemory.create(name, CreateOptions.of(DType.FLOAT32, 2, 3).gpuDevice("cuda:0").cpuMirror(mirror));
    }

    static SharedMemory attach(String name) {
        return SharedMemory.open(name, OpenOptions.gpuDevice("cuda:0"));
    }

    static Path data(String name) {
        return SHM.resolve(StreamNames.of(name).dataSegment());
    }

    static Path meta(String name) {
        return SHM.resolve(StreamNames.of(name).metaSegment());
    }

    static Path gpu(String name) {
        return SHM.resolve(StreamNames.of(name).gpuSegment());
    }

    /** The metadata header as stored (flags and device_index at their MetadataLayout offsets). */
    static ByteBuffer header(String name) {
        try {
            return ByteBuffer.wrap(Files.readAllBytes(meta(name))).order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int flags(String name) {
        return header(name).getInt(MetadataLayout.FLAGS_OFFSET);
    }

    static int deviceIndex(String name) {
        return header(name).getInt(MetadataLayout.DEVICE_INDEX_OFFSET);
    }

    /** The data segment (the mirror) as floats. */
    static float[] dataSegment(String name) {
        try {
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(data(name))).order(ByteOrder.LITTLE_ENDIAN);
            float[] out = new float[b.remaining() / 4];
            b.asFloatBuffer().get(out);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The device payload as floats. */
    static float[] device(SharedMemory shm) {
        var v = shm.deviceView();
        float[] out = new float[(int) (v.size() / 4)];
        HostMemoryGpuSupport.bytes(v.pointer(), v.size()).asFloatBuffer().get(out);
        return out;
    }

    static void putFloats(long pointer, float[] values) {
        HostMemoryGpuSupport.bytes(pointer, values.length * 4L).asFloatBuffer().put(values);
    }

    static float[] getFloats(long pointer, int n) {
        float[] out = new float[n];
        HostMemoryGpuSupport.bytes(pointer, n * 4L).asFloatBuffer().get(out);
        return out;
    }
}

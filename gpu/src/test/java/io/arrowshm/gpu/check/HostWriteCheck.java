package io.arrowshm.gpu.check;

import io.arrowshm.DType;
import io.arrowshm.SharedMemory;
import io.arrowshm.WriteView;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.arrow.memory.ArrowBuf;

/**
 * Host writes into a GPU stream (no mirror) of 4 MiB and 381 MiB, on each path, beside the
 * floors and ceilings that bound them, in one run: a CPU stream's write of the same bytes (the
 * core's copy into the data segment, which every host write makes first), a bare
 * {@code cuMemcpyHtoD} + synchronize from {@code cuMemHostAlloc} memory (the bus), the same
 * from a stream's data segment registered with {@code cuMemHostRegister} (what registering
 * the mirror would reach; no library path registers), and a write view published with the
 * bytes already in the segment (the device part of a write alone). Each path's stream is
 * written in a block of rounds after a warm-up, one GPU stream at a time (so at most two
 * segments of the frame exist), and read back on the device.
 */
final class HostWriteCheck {
    /** 4 MiB and 381 MiB of float32. */
    static final long[][] SHAPES = {{1024, 1024}, {DeviceCheck.BIG_ROWS, DeviceCheck.BIG_COLS}};
    static final int[] ROUNDS = {40, 7};

    private HostWriteCheck() {
    }

    static String run() throws Exception {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < SHAPES.length; i++) {
            parts.add(measure(SHAPES[i], ROUNDS[i]));
        }
        return String.join(" | ", parts);
    }

    private static String measure(long[] shape, int rounds) throws Exception {
        long elements = shape[0] * shape[1];
        long bytes = elements * Float.BYTES;
        String name = DeviceCheck.unique("hostwrite-" + (bytes >> 20));
        float[] frame = new float[(int) elements];
        Arrays.fill(frame, 2f);
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%s, medians of %d:", Timings.mib(bytes),
                rounds));
        try (SharedMemory cpu = SharedMemory.create(name + "-cpu", DType.FLOAT32, shape);
             DeviceCheck.Buffers device = new DeviceCheck.Buffers(bytes)) {
            double[] core = Timings.time(rounds, () -> cpu.write(frame));
            out.append(' ').append(Timings.figure("CPU stream write (the core's copy alone)", core, bytes)).append(';');
            double[] bare = bareFromPinned(device, bytes, rounds);
            out.append(' ').append(Timings.figure("bare cuMemcpyHtoD+sync from cuMemHostAlloc memory", bare, bytes));
            out.append("; ").append(fromRegistered(cpu, device, bytes, rounds));
            double[] pageable = null;
            for (GpuPaths path : new GpuPaths[] {GpuPaths.DEFAULT, GpuPaths.STAGED, GpuPaths.STAGED_EVENT}) {
                String stream = name + "-" + path.name().toLowerCase(Locale.ROOT);
                try (SharedMemory gpu = path.create(stream, false, shape)) {
                    double[] write = Timings.time(rounds, () -> gpu.write(frame));
                    double[] publish = Timings.time(rounds, () -> {
                        try (WriteView view = gpu.writeView()) {
                            view.publish();
                        }
                    });
                    verify(gpu, device, elements, path.label);
                    out.append("; GPU stream write, ").append(Timings.figure(path.label, write, bytes));
                    if (pageable == null) {
                        pageable = write;
                    } else {
                        out.append(" = ").append(Timings.ratio(pageable, write)).append("x pageable, ")
                                .append(Timings.ratio(bare, write)).append("x bare");
                    }
                    out.append(String.format(Locale.ROOT, " (device part alone, a write view's publish: %.3f ms)",
                            Timings.median(publish)));
                } finally {
                    SharedMemory.unlink(stream);
                }
            }
        } finally {
            SharedMemory.unlink(name + "-cpu");
        }
        return out.toString();
    }

    private static double[] bareFromPinned(DeviceCheck.Buffers device, long bytes, int rounds) throws Exception {
        long pinned = CheckCuda.hostAlloc(bytes);
        try {
            fill(pinned, bytes, 2f);
            return Timings.time(rounds, () -> CheckCuda.hostToDevice(device.device, pinned, bytes));
        } finally {
            CheckCuda.freeHost(pinned);
        }
    }

    /** The bus from a stream's own data segment, registered for the measurement only. */
    private static String fromRegistered(SharedMemory cpu, DeviceCheck.Buffers device, long bytes, int rounds)
            throws Exception {
        try (ArrowBuf view = cpu.buffer()) {
            long segment = view.memoryAddress();
            long t = System.nanoTime();
            int registered = CheckCuda.register(segment, bytes);
            double registerMs = (System.nanoTime() - t) / 1e6;
            if (registered != 0) {
                return "cuMemHostRegister of a stream's data segment failed: " + CheckCuda.name(registered);
            }
            try {
                double[] copy = Timings.time(rounds, () -> CheckCuda.hostToDevice(device.device, segment, bytes));
                return Timings.figure("bare cuMemcpyHtoD+sync from a stream's data segment after cuMemHostRegister",
                        copy, bytes) + String.format(Locale.ROOT, " (registering took %.1f ms)", registerMs);
            } finally {
                int unregistered = CheckCuda.unregister(segment);
                if (unregistered != 0) {
                    throw new IllegalStateException("cuMemHostUnregister failed with " + CheckCuda.name(unregistered));
                }
            }
        }
    }

    private static void verify(SharedMemory gpu, DeviceCheck.Buffers device, long elements, String path) {
        float[] back = new float[(int) elements];
        gpu.readIntoDevice(device.device);
        device.toHost(back);
        DeviceCheck.requireAll(back, 2f, "the frame written through " + path + ", read back on the device");
    }

    static void fill(long address, long bytes, float value) {
        for (long at = 0; at < bytes; at += 1L << 30) {
            int n = (int) Math.min(bytes - at, 1L << 30);
            ByteBuffer window = new com.sun.jna.Pointer(address + at).getByteBuffer(0, n).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i += Float.BYTES) {
                window.putFloat(i, value);
            }
        }
    }
}

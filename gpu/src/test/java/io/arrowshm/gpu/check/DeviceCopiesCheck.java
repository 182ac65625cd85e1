package io.arrowshm.gpu.check;

import io.arrowshm.SharedMemory;
import java.util.Arrays;
import java.util.Locale;

/**
 * The device side of a GPU stream at 381 MiB: a consistent {@code readIntoDevice} and a
 * {@code writeFromDevice} (no mirror), each beside a plain {@code cuMemcpyDtoD} +
 * {@code cuCtxSynchronize} of the same bytes, rounds interleaved, on the default path and with
 * an event per publication. Medians of 20; the data are checked after the rounds.
 */
final class DeviceCopiesCheck {
    static final int ROUNDS = 20;

    private DeviceCopiesCheck() {
    }

    static String run() throws Exception {
        StringBuilder out = new StringBuilder();
        for (GpuPaths path : new GpuPaths[] {GpuPaths.DEFAULT, GpuPaths.EVENT}) {
            if (out.length() > 0) {
                out.append(" | ");
            }
            out.append(measure(path));
        }
        return out.toString();
    }

    private static String measure(GpuPaths path) throws Exception {
        String name = DeviceCheck.unique("devcopies-" + path.name().toLowerCase(Locale.ROOT));
        try (SharedMemory shm = path.create(name, false, DeviceCheck.BIG_ROWS, DeviceCheck.BIG_COLS)) {
            long size = shm.size();
            long payload = shm.deviceView().pointer();
            float[] host = new float[(int) (size / 4)];
            Arrays.fill(host, 2f);
            shm.write(host);
            try (DeviceCheck.Buffers buffers = new DeviceCheck.Buffers(size)) {
                double[][] read = interleaved(() -> shm.readIntoDevice(buffers.device),
                        () -> CheckCuda.deviceToDevice(buffers.device, payload, size));
                buffers.toHost(host);
                DeviceCheck.requireAll(host, 2f, "the 381 MiB frame after the device reads");
                Arrays.fill(host, 5f);
                buffers.fromHost(host);
                double[][] write = interleaved(() -> shm.writeFromDevice(buffers.device),
                        () -> CheckCuda.deviceToDevice(payload, buffers.device, size));
                Arrays.fill(host, 0f);
                shm.readIntoDevice(buffers.device);
                buffers.toHost(host);
                DeviceCheck.requireAll(host, 5f, "the 381 MiB frame after the writes from device memory");
                return String.format(Locale.ROOT, "%s, %d bytes, medians of %d: %s vs plain %s: ratio %s; %s vs plain %s:"
                        + " ratio %s", path.label, size, ROUNDS, Timings.figure("readIntoDevice", read[0], size),
                        Timings.figure("cuMemcpyDtoD+sync", read[1], size), Timings.ratio(read[0], read[1]),
                        Timings.figure("writeFromDevice", write[0], size),
                        Timings.figure("cuMemcpyDtoD+sync", write[1], size), Timings.ratio(write[0], write[1]));
            }
        } finally {
            SharedMemory.unlink(name);
        }
    }

    /** {@code ours} and {@code plain} alternately, one warm-up each: milliseconds per round, {@code {ours, plain}}. */
    private static double[][] interleaved(Timings.Round ours, Timings.Round plain) throws Exception {
        ours.run();
        plain.run();
        double[][] ms = new double[2][ROUNDS];
        for (int r = 0; r < ROUNDS; r++) {
            long t = System.nanoTime();
            ours.run();
            ms[0][r] = (System.nanoTime() - t) / 1e6;
            t = System.nanoTime();
            plain.run();
            ms[1][r] = (System.nanoTime() - t) / 1e6;
        }
        return ms;
    }
}

package io.arrowshm.gpu.check;

import io.arrowshm.OpenOptions;
import io.arrowshm.SharedMemory;
import io.arrowshm.gpu.GpuRecord;
import io.arrowshm.gpu.InvalidGpuHandleException;
import io.arrowshm.internal.format.StreamNames;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * A planted {@code _gpu} record that points outside the real allocation (its own IPC handle
 * and creator, a claimed 1 TiB allocation, the payload at its end) is refused: in the creating
 * process (against what it allocated, with and without the {@code cuMemGetAddressRange}
 * option), and in another process both by a second handle that shares an existing mapping and
 * by a fresh mapping. The driver's range of the real allocation is reported beside the
 * creator's bookkeeping, and with the real record back every path attaches again (no false
 * refusal), the option's included.
 */
final class AttachRefusalCheck {
    private AttachRefusalCheck() {
    }

    static String run() throws Exception {
        String name = DeviceCheck.unique("attach");
        List<String> facts = new ArrayList<>();
        try (SharedMemory shm = GpuPaths.DEFAULT.create(name, false, 256, 1024)) {
            float[] frame = new float[256 * 1024];
            Arrays.fill(frame, 1f);
            shm.write(frame);
            Path segment = Path.of("/dev/shm", StreamNames.of(name).gpuSegment());
            byte[] real = java.nio.file.Files.readAllBytes(segment);
            GpuRecord record = GpuRecord.decode(ByteBuffer.wrap(real));
            long pointer = shm.deviceView().pointer();
            long[] range = CheckCuda.addressRange(pointer);
            boolean agree = range[0] == pointer && range[1] == record.allocationSizeBytes();
            facts.add(String.format(Locale.ROOT, "cuMemGetAddressRange of the allocation: %d bytes at 0x%x, the"
                    + " creator's bookkeeping %d bytes at 0x%x: %s", range[1], range[0], record.allocationSizeBytes(),
                    pointer, agree ? "they agree" : "they differ (the range check would compare with the driver's)"));
            long claimed = 1L << 40;
            byte[] planted = new GpuRecord(record.deviceIndex(), claimed, claimed - record.allocationSizeBytes(),
                    record.dtype(), record.shape(), record.ipcMemHandle(), record.creatorPid()).encode();

            Process child = DeviceCheck.javaChild(List.of(), "attach-child", name);
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8));
                 PrintWriter in = new PrintWriter(child.getOutputStream(), true, StandardCharsets.UTF_8)) {
                facts.add("another process: " + DeviceCheck.expect(out, "first"));
                replace(segment, planted);
                facts.add("in the creator: " + refusal(() -> GpuPaths.DEFAULT.open(name)));
                facts.add("in the creator with " + GpuPaths.RANGE_CHECK.label + ": "
                        + refusal(() -> GpuPaths.RANGE_CHECK.open(name)));
                in.println("planted");
                facts.add("another process, a second handle on its mapping: " + DeviceCheck.expect(out, "second"));
                facts.add("another process, a fresh mapping: " + DeviceCheck.expect(out, "fresh"));
                replace(segment, real);
                in.println("restored");
                facts.add("another process with the real record back: " + DeviceCheck.expect(out, "restored"));
                DeviceCheck.requireExit(child);
            } finally {
                child.destroyForcibly();
            }
            for (GpuPaths path : new GpuPaths[] {GpuPaths.DEFAULT, GpuPaths.RANGE_CHECK}) {
                try (SharedMemory again = path.open(name); DeviceCheck.Buffers buffers = new DeviceCheck.Buffers(shm.size())) {
                    again.readIntoDevice(buffers.device);
                    float[] back = new float[frame.length];
                    buffers.toHost(back);
                    DeviceCheck.requireAll(back, 1f, "a reopen with the real record (" + path.label + ")");
                }
            }
            facts.add("with the real record back, the creator reopened and read it on the default path and with the"
                    + " range check");
        } finally {
            SharedMemory.unlink(name);
        }
        String all = String.join("; ", facts);
        long refused = facts.stream().filter(f -> f.contains("refused (OUTSIDE_ALLOCATION)")).count();
        if (refused != 4 || all.contains("FAILED")) {
            throw new AssertionError("expected 4 refusals (OUTSIDE_ALLOCATION) and every reattach to work: " + all);
        }
        return all;
    }

    private static void replace(Path segment, byte[] record) throws Exception {
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(record), 0);
        }
    }

    interface Open {
        SharedMemory open() throws Exception;
    }

    /** "refused (KIND): message", or NOT REFUSED. */
    static String refusal(Open open) {
        try (SharedMemory attached = open.open()) {
            return "NOT REFUSED (attached at 0x" + Long.toHexString(attached.deviceView().pointer()) + ")";
        } catch (InvalidGpuHandleException e) {
            return "refused (" + e.kind() + "): " + e.getMessage();
        } catch (Exception e) {
            return "FAILED otherwise: " + e;
        }
    }

    /** The other process: a handle with the real record, then more while the record is planted, then again. */
    static final class Child {
        public static void main(String[] args) throws Exception {
            String name = args[1];
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            try (SharedMemory first = SharedMemory.open(name, OpenOptions.gpuDevice("cuda:0"))) {
                System.out.println("first handle attached with the real record at 0x"
                        + Long.toHexString(first.deviceView().pointer()));
                System.out.flush();
                require(in, "planted");
                System.out.println("second " + refusal(() -> SharedMemory.open(name, OpenOptions.gpuDevice("cuda:0"))));
                System.out.flush();
            }
            // No handle here now: the mapping is closed, so the next attach maps afresh and is checked at open.
            System.out.println("fresh " + refusal(() -> SharedMemory.open(name, OpenOptions.gpuDevice("cuda:0"))));
            System.out.flush();
            require(in, "restored");
            try (SharedMemory again = SharedMemory.open(name, OpenOptions.gpuDevice("cuda:0"))) {
                System.out.println("restored: attached again at 0x" + Long.toHexString(again.deviceView().pointer()));
            } catch (RuntimeException e) {
                System.out.println("restored: FAILED " + e);
            }
        }

        private static void require(BufferedReader in, String word) throws Exception {
            if (!word.equals(in.readLine())) {
                throw new IllegalStateException("expected '" + word + "' from the parent");
            }
        }
    }
}

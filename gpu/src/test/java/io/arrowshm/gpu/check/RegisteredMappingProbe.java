package io.arrowshm.gpu.check;

import io.arrowshm.DType;
import io.arrowshm.SharedMemory;
import io.arrowshm.internal.format.StreamNames;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import jcuda.driver.JCudaDriver;
import org.apache.arrow.memory.ArrowBuf;

/**
 * A measurement for the staging-or-registration decision (no library path registers host
 * memory): a child JVM registers a CPU stream's 64 MiB data segment with
 * {@code cuMemHostRegister}, this JVM truncates the segment, and the child reports what
 * {@code cuMemcpyHtoD} and {@code cuMemcpyDtoH} on the registered range do then, and, after it
 * regrows the file and writes new bytes through its mapping, whether the device receives those
 * bytes or the pinned pages of before the truncation. Passes when the probe ran; its facts
 * (a crash included) are the finding.
 */
final class RegisteredMappingProbe {
    static final long[] SHAPE = {16, 1 << 20};

    private RegisteredMappingProbe() {
    }

    static String run() throws Exception {
        String name = DeviceCheck.unique("registered");
        Process child = DeviceCheck.javaChild(List.of(), "registered-child", name);
        List<String> printed = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8));
             PrintWriter in = new PrintWriter(child.getOutputStream(), true, StandardCharsets.UTF_8)) {
            String ready = null;
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                printed.add(line);
                if (line.startsWith("ready") || line.startsWith("unregistrable")) {
                    ready = line;
                    break;
                }
            }
            if (ready == null) {
                throw new AssertionError("the probe ended before registering: " + printed);
            }
            if (ready.startsWith("ready")) {
                try (FileChannel data = FileChannel.open(Path.of("/dev/shm", StreamNames.of(name).dataSegment()),
                        StandardOpenOption.WRITE)) {
                    data.truncate(0);
                }
                in.println("truncated");
            }
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                printed.add(line);
            }
            if (!child.waitFor(DeviceCheck.WAIT.toSeconds(), TimeUnit.SECONDS)) {
                throw new AssertionError("the probe did not exit: " + printed);
            }
        } finally {
            child.destroyForcibly();
            SharedMemory.unlink(name);
        }
        List<String> facts = printed.stream().filter(l -> l.startsWith("probe ")).map(l -> l.substring(6)).toList();
        String banner = TruncationCheck.crashFrame(printed);
        if (child.exitValue() != 0 && banner.equals("no crash banner")) {
            throw new AssertionError("the probe failed with status " + child.exitValue() + ": " + printed);
        }
        String verdict = child.exitValue() == 0 ? "" : "; the probe JVM CRASHED with status " + child.exitValue() + " ("
                + banner + ")";
        return "a cuMemHostRegister'ed 64 MiB data segment truncated by another process: " + String.join("; ", facts)
                + verdict;
    }

    /** The child JVM of the probe. */
    static final class Child {
        public static void main(String[] args) throws Exception {
            String name = args[1];
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            long elements = SHAPE[0] * SHAPE[1];
            long bytes = elements * Float.BYTES;
            float[] frame = new float[(int) elements];
            Arrays.fill(frame, 2f);
            try (SharedMemory shm = SharedMemory.create(name, DType.FLOAT32, SHAPE);
                 ArrowBuf view = shm.buffer();
                 DeviceCheck.Buffers device = new DeviceCheck.Buffers(bytes)) {
                shm.write(frame);
                long segment = view.memoryAddress();
                int registered = CheckCuda.register(segment, bytes);
                if (registered != 0) {
                    System.out.println("unregistrable: cuMemHostRegister failed with " + CheckCuda.name(registered));
                    System.out.println("probe cuMemHostRegister of the segment failed: " + CheckCuda.name(registered));
                    return;
                }
                CheckCuda.hostToDevice(device.device, segment, bytes);
                System.out.println("probe before the truncation the device got " + content(device, elements));
                System.out.println("ready");
                System.out.flush();
                if (!"truncated".equals(in.readLine())) {
                    throw new IllegalStateException("the parent did not truncate the segment");
                }
                step("after it cuMemcpyHtoD from the registered range", () -> {
                    int up = CheckCuda.result(() -> JCudaDriver.cuMemcpyHtoD(CheckCuda.device(device.device),
                            CheckCuda.host(segment), bytes));
                    int sync = CheckCuda.result(JCudaDriver::cuCtxSynchronize);
                    return "returned " + CheckCuda.name(up) + " (sync " + CheckCuda.name(sync) + "), the device got "
                            + content(device, elements);
                });
                step("cuMemcpyDtoH into it", () -> "returned " + CheckCuda.name(CheckCuda.result(() ->
                        JCudaDriver.cuMemcpyDtoH(CheckCuda.host(segment), CheckCuda.device(device.device), bytes))));
                step("after the file was regrown and 5.0 written through the mapping, cuMemcpyHtoD", () -> {
                    try (RandomAccessFile file = new RandomAccessFile(Path.of("/dev/shm",
                            StreamNames.of(name).dataSegment()).toFile(), "rw")) {
                        file.setLength(bytes); // fresh zero pages behind the same mapping
                    }
                    HostWriteCheck.fill(segment, bytes, 5f);
                    int again = CheckCuda.result(() -> JCudaDriver.cuMemcpyHtoD(CheckCuda.device(device.device),
                            CheckCuda.host(segment), bytes));
                    CheckCuda.result(JCudaDriver::cuCtxSynchronize);
                    return "returned " + CheckCuda.name(again) + " and the device got " + content(device, elements)
                            + " (5.0: the registration follows the file; 2.0: it still pins the pages the file lost)";
                });
                step("cuMemHostUnregister", () -> "returned " + CheckCuda.name(CheckCuda.unregister(segment)));
            }
        }

        /** Prints {@code "probe <what> <result>"}, or what it threw: each step is a finding. */
        private static void step(String what, java.util.concurrent.Callable<String> body) {
            String result;
            try {
                result = body.call();
            } catch (Throwable t) {
                result = "threw " + t;
            }
            System.out.println("probe " + what + " " + result);
            System.out.flush();
        }

        private static String content(DeviceCheck.Buffers device, long elements) {
            float[] back = new float[(int) elements];
            device.toHost(back);
            float first = back[0];
            for (float v : back) {
                if (v != first) {
                    return "mixed values (first " + first + ")";
                }
            }
            return "all " + first;
        }
    }
}

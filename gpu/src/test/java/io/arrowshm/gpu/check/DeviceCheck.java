package io.arrowshm.gpu.check;

import io.arrowshm.CreateOptions;
import io.arrowshm.DType;
import io.arrowshm.OpenOptions;
import io.arrowshm.SharedMemory;
import io.arrowshm.gpu.CudaDriver;
import io.arrowshm.gpu.CudaPathOptions;
import io.arrowshm.gpu.CudaStatus;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

/**
 * The prepared device check (run by gpu/device-check.sh on a host with an NVIDIA GPU, a
 * CUDA driver and python3 with torch; the reports are kept in gpu/reports/). Prints one report:
 * one {@code CHECK <name>: PASS|FAIL|SKIP <facts>} line per check ({@link CheckRunner}), then a
 * summary; exits 0 only when every check passed. Without a driver it stops at the first check,
 * saying so. {@code list} prints the checks' names, one a line, without running anything.
 *
 * <pre>
 * java -cp JARS io.arrowshm.gpu.check.DeviceCheck report DIR   # DIR holds the python helpers
 * java -cp JARS io.arrowshm.gpu.check.DeviceCheck list
 * </pre>
 */
public final class DeviceCheck {
    static final Duration WAIT = Duration.ofSeconds(60);
    /** 381 MiB of float32, the bandwidth frame. */
    static final long BIG_ROWS = 381;
    static final long BIG_COLS = 262_144;
    static final int FRAMES = 50;
    /** How long one check may run before it is reported stuck and the next one starts. */
    static final Duration CHECK_LIMIT = Duration.ofSeconds(Long.getLong("devicecheck.limitSeconds", 75));

    /** The checks in the order they run; gpu/device-check.sh's header lists the same. */
    static final List<String> CHECKS = List.of("cuda-driver", "two-jvms-no-mirror", "two-jvms-mirror",
            "torch-reads-java-record", "java-reads-pyshmem-torch-stream", "device-copies-381MiB-vs-cuMemcpyDtoD",
            "host-write-4MiB-and-381MiB", "write-while-mirror-truncated", "registered-mapping-truncated-probe",
            "attach-refuses-record-outside-allocation");

    private DeviceCheck() {
    }

    public static void main(String[] args) throws Exception {
        switch (args.length == 0 ? "report" : args[0]) {
            case "report" -> System.exit(report(Path.of(args.length > 1 ? args[1] : ".")));
            case "list" -> CHECKS.forEach(System.out::println);
            case "consumer" -> Consumer.main(args);
            case "truncation-child" -> TruncationCheck.Child.main(args);
            case "registered-child" -> RegisteredMappingProbe.Child.main(args);
            case "attach-child" -> AttachRefusalCheck.Child.main(args);
            case "smoke" -> smoke();
            default -> throw new IllegalArgumentException("usage: DeviceCheck report DIR | list | smoke");
        }
    }

    /** The core on this runtime without a GPU: a CPU stream written, read and removed; the probe's answer. */
    private static void smoke() {
        String name = unique("smoke");
        try (SharedMemory shm = SharedMemory.create(name, DType.FLOAT32, 2, 3)) {
            shm.write(new float[] {1, 2, 3, 4, 5, 6});
            float[] back = new float[6];
            shm.readInto(back);
            try (var copy = shm.read()) {
                System.out.println("smoke: CPU stream round trip " + java.util.Arrays.toString(back) + ", Arrow copy "
                        + copy.getFloat(20) + ", gpuAvailable=" + SharedMemory.gpuAvailable() + " ("
                        + CudaDriver.status().detail() + ")");
            }
        } finally {
            SharedMemory.unlink(name);
        }
    }

    private static int report(Path helpers) {
        CudaStatus status = CudaDriver.status();
        if (!status.available()) {
            System.out.println("CHECK cuda-driver: FAIL no CUDA driver: " + status.detail());
            System.out.println("SUMMARY: stopped, no CUDA driver on this host");
            return 2;
        }
        CheckRunner checks = new CheckRunner(CHECK_LIMIT, System.out);
        checks.run("cuda-driver", () -> status.detail() + "; java " + System.getProperty("java.version") + " from "
                + System.getProperty("java.home") + "; SharedMemory.gpuAvailable()=" + SharedMemory.gpuAvailable()
                + "; the core's native calls: " + nativeCalls() + "; paths unless a check chooses: "
                + CudaPathOptions.fromSystemProperties().describe());
        checks.run("two-jvms-no-mirror", () -> twoJvms(false));
        checks.run("two-jvms-mirror", () -> twoJvms(true));
        checks.run("torch-reads-java-record", () -> torchReadsRecord(helpers));
        checks.run("java-reads-pyshmem-torch-stream", () -> javaReadsPyshmem(helpers));
        checks.run("device-copies-381MiB-vs-cuMemcpyDtoD", DeviceCopiesCheck::run);
        checks.run("host-write-4MiB-and-381MiB", HostWriteCheck::run);
        checks.run("write-while-mirror-truncated", TruncationCheck::run);
        checks.run("registered-mapping-truncated-probe", RegisteredMappingProbe::run);
        checks.run("attach-refuses-record-outside-allocation", AttachRefusalCheck::run);
        System.out.println(checks.summary());
        return checks.failed() == 0 ? 0 : 1;
    }

    /** JNA on JDK 17, FFM on JDK 22+ from the multi-release jar: which one this run exercises. */
    private static String nativeCalls() {
        try {
            return String.valueOf(Class.forName("io.arrowshm.internal.posix.HotCalls").getMethod("implementation")
                    .invoke(null));
        } catch (ReflectiveOperationException e) {
            return "unknown (" + e + ")";
        }
    }

    static String unique(String what) {
        return "arrowshm-devcheck-" + what + "-" + ProcessHandle.current().pid();
    }

    // ------------------------------------------------------------------ two JVMs

    /**
     * This JVM creates a GPU stream and a CPU ack stream and publishes FRAMES frames from host
     * arrays; a child JVM attaches on cuda:0 (timed), reads each frame with a consistent
     * device read into its own buffer and checks it, acks, and finally publishes a frame from
     * its device memory, which this JVM reads back (and through the mirror, when there is one).
     */
    private static String twoJvms(boolean mirror) throws Exception {
        String name = unique("xjvm-" + (mirror ? "mirror" : "plain"));
        String ack = name + "-ack";
        int rows = 1024;
        int cols = 1024;
        try (SharedMemory frames = SharedMemory.create(name, CreateOptions.of(DType.FLOAT32, rows, cols)
                .gpuDevice("cuda:0").cpuMirror(mirror));
             SharedMemory acks = SharedMemory.create(ack, DType.INT64, 1)) {
            Process child = javaChild("consumer", name, ack, Integer.toString(FRAMES), Boolean.toString(mirror));
            try (BufferedReader out = reader(child)) {
                String attached = expect(out, "attached");
                float[] frame = new float[rows * cols];
                long start = System.nanoTime();
                for (int i = 1; i <= FRAMES; i++) {
                    java.util.Arrays.fill(frame, i);
                    frames.write(frame, i);
                    acks.waitForCount(i - 1, WAIT);
                }
                double perFrameMs = (System.nanoTime() - start) / 1e6 / FRAMES;
                frames.waitForCount(FRAMES, WAIT); // the child's frame from device memory
                float[] back = new float[rows * cols];
                Buffers buffers = new Buffers(frames.size());
                try {
                    frames.readIntoDevice(buffers.device);
                    buffers.toHost(back);
                } finally {
                    buffers.close();
                }
                requireAll(back, -1f, "the child's device-written frame read back on the device");
                String mirrorFact = "";
                if (mirror) {
                    try (SharedMemory cpu = SharedMemory.open(name)) {
                        float[] host = new float[rows * cols];
                        cpu.readInto(host);
                        requireAll(host, -1f, "the mirror after the child's device write");
                        mirrorFact = "; CPU-only handle read the mirror of the device write";
                    }
                }
                String done = expect(out, "done");
                requireExit(child);
                return String.format(Locale.ROOT, "%d frames of 4 MiB, %.2f ms per write+ack; %s; %s%s",
                        FRAMES, perFrameMs, attached, done, mirrorFact);
            } finally {
                child.destroyForcibly();
            }
        } finally {
            SharedMemory.unlink(name);
            SharedMemory.unlink(ack);
        }
    }

    /** The child JVM of {@link #twoJvms}. */
    static final class Consumer {
        public static void main(String[] args) throws Exception {
            String name = args[1];
            String ack = args[2];
            int frames = Integer.parseInt(args[3]);
            long t0 = System.nanoTime();
            try (SharedMemory shm = SharedMemory.open(name, OpenOptions.gpuDevice("cuda:0"));
                 SharedMemory acks = SharedMemory.open(ack)) {
                double attachMs = (System.nanoTime() - t0) / 1e6;
                long t1 = System.nanoTime();
                try (SharedMemory again = SharedMemory.open(name, OpenOptions.gpuDevice("cuda:0"))) {
                    again.deviceView();
                }
                double reattachMs = (System.nanoTime() - t1) / 1e6;
                System.out.printf(Locale.ROOT, "attached IPC attach (open on cuda:0, cuIpcOpenMemHandle) %.1f ms first,"
                        + " %.1f ms for a second handle (shared mapping); view %s%n", attachMs, reattachMs, shm.deviceView());
                System.out.flush();
                Buffers buffers = new Buffers(shm.size());
                float[] host = new float[(int) (shm.size() / 4)];
                long missed = 0;
                try {
                    for (int i = 1; i <= frames; i++) {
                        shm.waitForCount(i - 1, WAIT);
                        shm.readIntoDevice(buffers.device, WAIT);
                        buffers.toHost(host);
                        float expected = shm.lastReadCount();
                        requireAll(host, expected, "frame " + i + " read on the device");
                        missed += shm.missedWrites();
                        acks.write(new long[] {i});
                    }
                    java.util.Arrays.fill(host, -1f);
                    buffers.fromHost(host);
                    shm.writeFromDevice(buffers.device, 999);
                } finally {
                    buffers.close();
                }
                System.out.println("done child read " + frames + " frames consistently on the device (missed "
                        + missed + "), wrote one from device memory");
            }
        }
    }

    // ------------------------------------------------------------------ torch and pyshmem

    private static String torchReadsRecord(Path helpers) throws Exception {
        String name = unique("torch");
        try (SharedMemory shm = SharedMemory.create(name, CreateOptions.of(DType.FLOAT32, 256, 1024)
                .gpuDevice("cuda:0"))) {
            float[] frame = new float[256 * 1024];
            java.util.Arrays.fill(frame, 0.5f);
            shm.write(frame);
            Process python = python(helpers.resolve("read_arrowshm_gpu_record.py").toString(), name);
            try (BufferedReader out = reader(python)) {
                String line = expect(out, "torch");
                requireExit(python);
                String expected = "torch (256, 1024) 131072.0";
                if (!line.equals(expected)) {
                    throw new AssertionError("torch printed '" + line + "', expected '" + expected + "'");
                }
                return "the README's torch snippet read the Java stream through the 272-byte record: " + line;
            } finally {
                python.destroyForcibly();
            }
        } finally {
            SharedMemory.unlink(name);
        }
    }

    private static String javaReadsPyshmem(Path helpers) throws Exception {
        String name = unique("pyshmem");
        int rows = 512;
        int cols = 1024;
        Process python = python(helpers.resolve("pyshmem_torch_producer.py").toString(), name,
                Integer.toString(rows), Integer.toString(cols));
        try (BufferedReader out = reader(python);
             PrintWriter in = new PrintWriter(python.getOutputStream(), true, StandardCharsets.UTF_8)) {
            expect(out, "ready");
            long t0 = System.nanoTime();
            try (SharedMemory shm = SharedMemory.open(name, OpenOptions.gpuDevice("cuda:0"))) {
                double attachMs = (System.nanoTime() - t0) / 1e6;
                float[] host = new float[rows * cols];
                Buffers buffers = new Buffers(shm.size());
                try {
                    shm.readIntoDevice(buffers.device, WAIT);
                    buffers.toHost(host);
                    requireAll(host, 7f, "pyshmem's torch frame read on the device");
                    java.util.Arrays.fill(host, 3f);
                    shm.write(host); // host array -> the torch allocation, under pyshmem's lock and seqlock
                } finally {
                    buffers.close();
                }
                in.println("read");
                String sum = expect(out, "sum");
                String expected = "sum " + (3.0 * rows * cols) + " count 2";
                if (!sum.equals(expected)) {
                    throw new AssertionError("pyshmem read back '" + sum + "', expected '" + expected + "'");
                }
                in.println("quit");
                expect(out, "bye");
                requireExit(python);
                return String.format(Locale.ROOT, "attached the torch pickle's IPC handle in %.1f ms, read 7.0 on the"
                        + " device, wrote 3.0 that pyshmem read on its GPU (%s)", attachMs, sum);
            }
        } finally {
            python.destroyForcibly();
            SharedMemory.unlink(name);
        }
    }

    // ------------------------------------------------------------------ helpers

    /** A device buffer of this process on cuda:0, in the primary context. */
    public static final class Buffers implements AutoCloseable {
        final CUdevice dev = new CUdevice();
        final CUcontext context = new CUcontext();
        public final long device;
        final long size;
        private final CUdeviceptr pointer = new CUdeviceptr();

        public Buffers(long size) {
            this.size = size;
            check(JCudaDriver.cuInit(0), "cuInit");
            check(JCudaDriver.cuDeviceGet(dev, 0), "cuDeviceGet");
            check(JCudaDriver.cuDevicePrimaryCtxRetain(context, dev), "cuDevicePrimaryCtxRetain");
            push();
            try {
                check(JCudaDriver.cuMemAlloc(pointer, size), "cuMemAlloc");
            } finally {
                pop();
            }
            this.device = address(pointer);
        }

        CUdeviceptr device() {
            return pointer;
        }

        void push() {
            check(JCudaDriver.cuCtxPushCurrent(context), "cuCtxPushCurrent");
        }

        void pop() {
            JCudaDriver.cuCtxPopCurrent(new CUcontext());
        }

        public void toHost(float[] host) {
            push();
            try {
                check(JCudaDriver.cuMemcpyDtoH(Pointer.to(host), pointer, (long) host.length * 4), "cuMemcpyDtoH");
            } finally {
                pop();
            }
        }

        public void fromHost(float[] host) {
            push();
            try {
                check(JCudaDriver.cuMemcpyHtoD(pointer, Pointer.to(host), (long) host.length * 4), "cuMemcpyHtoD");
            } finally {
                pop();
            }
        }

        @Override
        public void close() {
            push();
            try {
                JCudaDriver.cuMemFree(pointer);
            } finally {
                pop();
                JCudaDriver.cuDevicePrimaryCtxRelease(dev);
            }
        }
    }

    /** JCuda hides a pointer's address; its toString ends with it ("...(nativePointer=0x..., byteOffset=...)"). */
    static long address(CUdeviceptr pointer) {
        return new AddressOf(pointer).value();
    }

    private static final class AddressOf extends CUdeviceptr {
        private final long value;

        AddressOf(CUdeviceptr of) {
            super(of, 0);
            this.value = getNativePointer() + getByteOffset();
        }

        long value() {
            return value;
        }
    }

    static void check(int result, String call) {
        if (result != CUresult.CUDA_SUCCESS) {
            throw new IllegalStateException(call + " failed with " + CUresult.stringFor(result));
        }
    }

    static void requireAll(float[] values, float expected, String what) {
        for (int i = 0; i < values.length; i++) {
            if (values[i] != expected) {
                throw new AssertionError(what + ": element " + i + " is " + values[i] + ", expected " + expected);
            }
        }
    }

    private static Process javaChild(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-opens=java.base/java.nio=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED",
                "-Dsun.misc.unsafe.memory.access=allow", "-cp", System.getProperty("java.class.path"),
                DeviceCheck.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    /**
     * A child JVM of this check with extra JVM flags whose stderr comes with its stdout, so that
     * a crash banner can be reported; its crash log goes to $DEVICE_CHECK_OUT (kept) or the temp
     * directory, and it dumps no core. It is killed after {@link #WAIT}, so a child stuck in a
     * driver call ends and the check reading it sees the end of its output.
     */
    static Process javaChild(List<String> jvmFlags, String... args) throws Exception {
        String logs = System.getenv().getOrDefault("DEVICE_CHECK_OUT", System.getProperty("java.io.tmpdir"));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-opens=java.base/java.nio=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED",
                "-Dsun.misc.unsafe.memory.access=allow", "-XX:-CreateCoredumpOnCrash",
                "-XX:ErrorFile=" + Path.of(logs, "hs_err_devcheck_pid%p.log")));
        command.addAll(jvmFlags);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), DeviceCheck.class.getName()));
        command.addAll(List.of(args));
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        java.util.concurrent.CompletableFuture.delayedExecutor(WAIT.toSeconds(), TimeUnit.SECONDS)
                .execute(child::destroyForcibly);
        return child;
    }

    private static Process python(String script, String... args) throws Exception {
        if (!Files.isRegularFile(Path.of(script))) {
            throw new CheckRunner.Skip("missing helper " + script);
        }
        List<String> command = new ArrayList<>(List.of(System.getenv().getOrDefault("PYTHON", "python3"), "-u",
                script));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static BufferedReader reader(Process process) {
        return new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /** The next line starting with {@code prefix} (other lines are skipped), or a failure at EOF. */
    static String expect(BufferedReader out, String prefix) throws Exception {
        for (String line = out.readLine(); line != null; line = out.readLine()) {
            if (line.startsWith(prefix)) {
                return line;
            }
        }
        throw new AssertionError("the peer ended without printing '" + prefix + "...'");
    }

    static void requireExit(Process process) throws Exception {
        if (!process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)) {
            throw new AssertionError("the peer did not exit");
        }
        if (process.exitValue() != 0) {
            throw new AssertionError("the peer exited with status " + process.exitValue());
        }
    }
}

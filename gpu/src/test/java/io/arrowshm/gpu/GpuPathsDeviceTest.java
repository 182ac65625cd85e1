package io.arrowshm.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.arrowshm.CreateOptions;
import io.arrowshm.DType;
import io.arrowshm.OpenOptions;
import io.arrowshm.SharedMemory;
import io.arrowshm.gpu.check.DeviceCheck;
import io.arrowshm.internal.format.StreamNames;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The optional CUDA paths on a real device: frames of sizes that are not a multiple of the
 * staging chunk round-trip through host writes, device reads, writes from device memory into
 * the mirror and host reads without a mirror; a planted record is refused with and without the
 * driver's range check, and the real one attaches with it. Without a CUDA driver and device
 * each test is reported skipped with the probe's reason; none can pass without running.
 */
class GpuPathsDeviceTest {
    private final String name = "arrowshm-test-gpupaths-" + ProcessHandle.current().pid();

    @BeforeEach
    void needsAGpu() {
        CudaStatus status = CudaDriver.status();
        assumeTrue(status.available(), () -> "needs a CUDA driver and device: " + status.detail());
    }

    @AfterEach
    void unlink() {
        SharedMemory.unlink(name);
        SharedMemory.unlink(name + "-plain");
    }

    private static <T> T with(Map<String, String> properties, Callable<T> body) throws Exception {
        properties.forEach(System::setProperty);
        try {
            return body.call();
        } finally {
            properties.keySet().forEach(System::clearProperty);
        }
    }

    private static Map<String, String> paths(String which) {
        return switch (which) {
            case "staged" -> Map.of(CudaPathOptions.PINNED_STAGING, "true", CudaPathOptions.STAGING_CHUNK_BYTES,
                    "65536");
            case "event" -> Map.of(CudaPathOptions.EVENT_SYNC, "true");
            case "staged+event" -> Map.of(CudaPathOptions.PINNED_STAGING, "true", CudaPathOptions.EVENT_SYNC, "true",
                    CudaPathOptions.STAGING_CHUNK_BYTES, "65536");
            default -> throw new IllegalArgumentException(which);
        };
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"staged", "event", "staged+event"})
    void framesOfOddSizesRoundTripOnEveryPath(String which) throws Exception {
        int elements = 3 * 65536 / 4 + 7; // three chunks and 28 bytes
        float[] frame = new float[elements];
        for (int i = 0; i < elements; i++) {
            frame[i] = i * 0.5f;
        }
        try (SharedMemory mirrored = with(paths(which), () -> SharedMemory.create(name, CreateOptions.of(
                DType.FLOAT32, elements).gpuDevice("cuda:0").cpuMirror(true)));
             SharedMemory plain = with(paths(which), () -> SharedMemory.create(name + "-plain", CreateOptions.of(
                DType.FLOAT32, elements).gpuDevice("cuda:0")));
             DeviceCheck.Buffers buffers = new DeviceCheck.Buffers((long) elements * 4)) {
            float[] back = new float[elements];
            mirrored.write(frame);
            mirrored.readIntoDevice(buffers.device);
            buffers.toHost(back);
            assertArrayEquals(frame, back, "host write, device read");

            float[] reversed = new float[elements];
            for (int i = 0; i < elements; i++) {
                reversed[i] = frame[elements - 1 - i];
            }
            buffers.fromHost(reversed);
            mirrored.writeFromDevice(buffers.device);
            try (SharedMemory cpu = SharedMemory.open(name)) {
                cpu.readInto(back);
            }
            assertArrayEquals(reversed, back, "write from device memory, read through the mirror");

            plain.write(frame);
            java.util.Arrays.fill(back, 0f);
            plain.readInto(back); // no mirror: a download from the device
            assertArrayEquals(frame, back, "host write, host read without a mirror");
        }
    }

    @ParameterizedTest(name = "range check {0}")
    @ValueSource(booleans = {false, true})
    void aPlantedRecordIsRefusedAndTheRealOneAttaches(boolean rangeCheck) throws Exception {
        Map<String, String> options = rangeCheck ? Map.of(CudaPathOptions.CHECK_ALLOCATION_RANGE, "true") : Map.of();
        try (SharedMemory shm = SharedMemory.create(name, CreateOptions.of(DType.FLOAT32, 256, 1024)
                .gpuDevice("cuda:0"))) {
            shm.write(new float[256 * 1024]);
            Path segment = Path.of("/dev/shm", StreamNames.of(name).gpuSegment());
            byte[] real = Files.readAllBytes(segment);
            GpuRecord record = GpuRecord.decode(ByteBuffer.wrap(real));
            long claimed = 1L << 40;
            write(segment, new GpuRecord(record.deviceIndex(), claimed, claimed - record.allocationSizeBytes(),
                    record.dtype(), record.shape(), record.ipcMemHandle(), record.creatorPid()).encode());

            InvalidGpuHandleException e = assertThrows(InvalidGpuHandleException.class,
                    () -> with(options, () -> SharedMemory.open(name, OpenOptions.gpuDevice("cuda:0"))));
            assertEquals(InvalidGpuHandleException.Kind.OUTSIDE_ALLOCATION, e.kind(), e.getMessage());

            write(segment, real);
            try (SharedMemory again = with(options, () -> SharedMemory.open(name, OpenOptions.gpuDevice("cuda:0")))) {
                assertEquals(shm.deviceView().pointer(), again.deviceView().pointer());
            }
        }
    }

    private static void write(Path segment, byte[] record) throws Exception {
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(record), 0);
        }
    }
}

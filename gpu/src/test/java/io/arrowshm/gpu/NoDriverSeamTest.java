package io.arrowshm.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.abort;

import com.sun.jna.NativeLibrary;
import io.arrowshm.CreateOptions;
import io.arrowshm.DType;
import io.arrowshm.OpenOptions;
import io.arrowshm.SharedMemory;
import io.arrowshm.internal.format.MetadataLayout;
import io.arrowshm.internal.format.StreamNames;
import io.arrowshm.internal.stream.Lifecycle;
import io.arrowshm.spi.DevicePayload;
import io.arrowshm.spi.DeviceRequest;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The gpu module's device seam on a host without an NVIDIA driver: SharedMemory finds it,
 * reports it unavailable with the probe's reason, and every device call (create and attach
 * through SharedMemory, allocate and attach on the seam) is a GpuUnavailableException that
 * says why, leaving no segment behind. Skipped, saying so, where a driver loads.
 */
class NoDriverSeamTest {

    @BeforeEach
    void onlyWithoutADriver() {
        try {
            NativeLibrary.getInstance("libcuda.so.1");
        } catch (UnsatisfiedLinkError expected) {
            return;
        }
        abort("libcuda.so.1 loads on this host, so the no-driver behaviour cannot be observed here");
    }

    private static String unique() {
        return "arrowshm-test-nodriver-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    }

    @Test
    void theSeamSaysWhyItIsUnavailable() {
        JCudaGpuSupport seam = new JCudaGpuSupport();
        assertFalse(seam.available());
        assertTrue(seam.unavailableReason().contains("libcuda.so.1 (the NVIDIA driver library) cannot be loaded"),
                seam.unavailableReason());
        assertFalse(SharedMemory.gpuAvailable());
    }

    @Test
    void creatingAGpuStreamFailsWithTheReasonAndLeavesNothing() {
        String name = unique();
        GpuUnavailableException e = assertThrows(GpuUnavailableException.class, () -> SharedMemory.create(name,
                CreateOptions.of(DType.FLOAT32, 2, 3).gpuDevice("cuda:0").cpuMirror(true)));
        assertTrue(e.getMessage().startsWith("cannot allocate '" + name + "' on cuda:0: CUDA is not available in this"
                + " process: libcuda.so.1"), e.getMessage());
        StreamNames names = StreamNames.of(name);
        for (String segment : new String[] {names.dataSegment(), names.metaSegment(), names.gpuSegment()}) {
            assertFalse(Files.exists(Path.of("/dev/shm", segment)), segment);
        }
    }

    @Test
    void withEveryOptionalPathOnCreatingStillFailsWithTheReasonAndLeavesNothing() {
        String name = unique();
        String[] options = {CudaPathOptions.PINNED_STAGING, CudaPathOptions.EVENT_SYNC,
            CudaPathOptions.CHECK_ALLOCATION_RANGE};
        for (String option : options) {
            System.setProperty(option, "true");
        }
        try {
            GpuUnavailableException e = assertThrows(GpuUnavailableException.class, () -> SharedMemory.create(name,
                    CreateOptions.of(DType.FLOAT32, 2, 3).gpuDevice("cuda:0").cpuMirror(true)));
            assertTrue(e.getMessage().startsWith("cannot allocate '" + name + "' on cuda:0: CUDA is not available"),
                    e.getMessage());
            StreamNames names = StreamNames.of(name);
            for (String segment : new String[] {names.dataSegment(), names.metaSegment(), names.gpuSegment()}) {
                assertFalse(Files.exists(Path.of("/dev/shm", segment)), segment);
            }
        } finally {
            for (String option : options) {
                System.clearProperty(option);
            }
        }
    }

    @Test
    void theSeamsEntryPointsFailWithTheReason() {
        JCudaGpuSupport seam = new JCudaGpuSupport();
        DeviceRequest request = new DeviceRequest("frames", 0, DType.FLOAT32, new long[] {2, 3}, 24, 1);
        GpuUnavailableException allocate = assertThrows(GpuUnavailableException.class, () -> seam.allocate(request));
        assertTrue(allocate.getMessage().contains("CUDA is not available in this process"), allocate.getMessage());
        byte[] handle = new byte[64];
        handle[0] = 1;
        byte[] record = GpuRecord.forPayload(0, DType.FLOAT32, new long[] {2, 3}, handle, 1).encode();
        GpuUnavailableException attach = assertThrows(GpuUnavailableException.class,
                () -> seam.attach(request, ByteBuffer.wrap(record)));
        assertTrue(attach.getMessage().startsWith("cannot attach 'frames' on cuda:0: CUDA is not available"),
                attach.getMessage());
    }

    @Test
    void aGpuStreamWithARecordOpensCpuOnlyButNotOnTheDevice() {
        String name = unique();
        StreamNames names = StreamNames.of(name);
        byte[] handle = new byte[64];
        handle[0] = 7;
        byte[] record = GpuRecord.forPayload(0, DType.FLOAT32, new long[] {2, 3}, handle,
                ProcessHandle.current().pid()).encode();
        // A GPU stream as another (GPU) host would have made it: metadata, mirror and arrow-shm's record.
        var attached = Lifecycle.create(names, DType.FLOAT32, new long[] {2, 3}, 24,
                MetadataLayout.FLAG_GPU_ENABLED | MetadataLayout.FLAG_CPU_MIRROR, 0, request -> new RecordOnly(record));
        attached.release();
        try {
            GpuUnavailableException e = assertThrows(GpuUnavailableException.class,
                    () -> SharedMemory.open(name, OpenOptions.gpuDevice("cuda:0")));
            assertTrue(e.getMessage().startsWith("cannot attach '" + name + "' on cuda:0: CUDA is not available"),
                    e.getMessage());
            try (SharedMemory cpu = SharedMemory.open(name)) {
                assertTrue(cpu.gpuEnabled());
                assertTrue(cpu.gpuDevice().isEmpty());
                float[] mirror = new float[6];
                cpu.readInto(mirror);
                assertEquals(0f, mirror[0]);
            }
        } finally {
            SharedMemory.unlink(name);
        }
        assertFalse(Files.exists(Path.of("/dev/shm", names.gpuSegment())));
    }

    /** Stands in for the allocation of a GPU host: only its record is used. */
    private record RecordOnly(byte[] record) implements DevicePayload {
        public int deviceIndex() {
            return 0;
        }

        public long devicePointer() {
            return 0;
        }

        public long size() {
            return 24;
        }

        public byte[] handleRecord() {
            return record.clone();
        }

        public void copyFromHost(long hostAddress, long bytes) {
            throw new UnsupportedOperationException();
        }

        public void copyToHost(long hostAddress, long bytes) {
            throw new UnsupportedOperationException();
        }

        public void copyFromDevice(long sourcePointer, long bytes) {
            throw new UnsupportedOperationException();
        }

        public void copyToDevice(long targetPointer, long bytes) {
            throw new UnsupportedOperationException();
        }

        public void synchronize() {
        }

        public void close() {
        }
    }
}

package io.arrowshm.gpuseam;

import static io.arrowshm.gpuseam.GpuStreams.attach;
import static io.arrowshm.gpuseam.GpuStreams.create;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.arrowshm.CreateOptions;
import io.arrowshm.DType;
import io.arrowshm.InconsistentStreamException;
import io.arrowshm.OpenOptions;
import io.arrowshm.Publication;
import io.arrowshm.SharedMemory;
import io.arrowshm.SharedMemoryException;
import io.arrowshm.StaleStreamException;
import io.arrowshm.StreamExistsException;
import io.arrowshm.StreamInfo;
import io.arrowshm.StreamTimeoutException;
import io.arrowshm.WriteView;
import io.arrowshm.internal.format.MetadataLayout;
import io.arrowshm.testing.Names;
import io.arrowshm.testing.PrivateShm;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The core's GPU-stream paths driven through the host-memory test seam (no CUDA): options
 * and metadata flags, the _gpu segment's lifecycle, mirror semantics, CPU-only handles,
 * aborted publications and consistent device reads. Nothing here runs on a GPU.
 */
class GpuSeamStreamTest {
    private final List<String> streams = new ArrayList<>();

    private String name() {
        String name = Names.unique("gpuseam");
        streams.add(name);
        return name;
    }

    @BeforeEach
    void reset() {
        HostMemoryGpuSupport.reset();
    }

    @AfterEach
    void cleanUp() {
        HostMemoryGpuSupport.reset();
        streams.forEach(SharedMemory::unlink);
    }

    // ------------------------------------------------------------------ options and flags

    @Test
    void theSeamIsFoundAndAvailable() {
        assertTrue(SharedMemory.gpuAvailable());
        HostMemoryGpuSupport.setAvailable(false);
        assertFalse(SharedMemory.gpuAvailable());
    }

    @Test
    void flagsAndDeviceIndexFollowTheSpec() {
        String plain = name();
        String mirrored = name();
        String notify = name();
        String second = name();
        try (SharedMemory a = create(plain, false);
             SharedMemory b = create(mirrored, true);
             SharedMemory c = SharedMemory.create(notify, CreateOptions.of(DType.FLOAT32, 4).gpuDevice("cuda:0")
                     .notify(true));
             SharedMemory d = SharedMemory.create(second, CreateOptions.of(DType.UINT8, 4).gpuDevice("cuda:1")
                     .cpuMirror(true))) {
            assertEquals(0x0D, GpuStreams.flags(plain));
            assertEquals(0x0F, GpuStreams.flags(mirrored));
            assertEquals(0x1D, GpuStreams.flags(notify));
            assertEquals(0x0F, GpuStreams.flags(second));
            assertEquals(0, GpuStreams.deviceIndex(plain));
            assertEquals(1, GpuStreams.deviceIndex(second));
            assertTrue(a.gpuEnabled());
            assertFalse(a.cpuMirror());
            assertTrue(b.cpuMirror());
            assertEquals("cuda:0", a.gpuDevice().orElseThrow());
            assertEquals("cuda:1", d.gpuDevice().orElseThrow());
            assertEquals("cuda:1", d.toConfig().gpuDevice().orElseThrow());
            StreamInfo info = SharedMemory.stat(plain);
            assertTrue(info.gpuEnabled());
            assertEquals("cuda:0", info.gpuDevice().orElseThrow());
            assertFalse(info.cpuMirror());
        }
    }

    @Test
    void argumentErrorsComeBeforeAnythingIsCreated() {
        String name = name();
        assertThrows(IllegalArgumentException.class, () -> SharedMemory.create(name,
                CreateOptions.of(DType.FLOAT32, 2).gpuDevice("cpu")));
        assertThrows(IllegalArgumentException.class, () -> SharedMemory.create(name,
                CreateOptions.of(DType.FLOAT32, 2).gpuDevice("cuda:x")));
        IllegalArgumentException noMirror = assertThrows(IllegalArgumentException.class,
                () -> SharedMemory.create(name, CreateOptions.of(DType.FLOAT32, 2).cpuMirror(false)));
        assertTrue(noMirror.getMessage().contains("gpuDevice"), noMirror.getMessage());
        assertFalse(Files.exists(GpuStreams.data(name)));
        assertFalse(Files.exists(GpuStreams.meta(name)));
        assertTrue(HostMemoryGpuSupport.calls().isEmpty(), HostMemoryGpuSupport.calls().toString());
    }

    @Test
    void theGpuSegmentIsWrittenBeforeTheMetadata() {
        String name = name();
        List<String> seen = new ArrayList<>();
        HostMemoryGpuSupport.observe(call -> {
            if (call.equals("allocate") || call.equals("handleRecord")) {
                seen.add(call + " data=" + Files.exists(GpuStreams.data(name)) + " gpu="
                        + Files.exists(GpuStreams.gpu(name)) + " meta=" + Files.exists(GpuStreams.meta(name)));
            }
        });
        try (SharedMemory shm = create(name, false)) {
            assertEquals(List.of("allocate data=true gpu=false meta=false",
                    "handleRecord data=true gpu=false meta=false"), seen);
            assertEquals(HostMemoryGpuSupport.RECORD_LENGTH, GpuStreams.gpu(name).toFile().length());
            assertTrue(Files.exists(GpuStreams.meta(name)));
        }
    }

    // ------------------------------------------------------------------ lifecycle

    @Test
    void aFailedAllocationLeavesNothingBehind() {
        String name = name();
        HostMemoryGpuSupport.failNext("allocate");
        assertThrows(IllegalStateException.class, () -> create(name, true));
        assertFalse(Files.exists(GpuStreams.data(name)));
        assertFalse(Files.exists(GpuStreams.gpu(name)));
        assertFalse(Files.exists(GpuStreams.meta(name)));

        HostMemoryGpuSupport.failNext("handleRecord");
        int before = HostMemoryGpuSupport.liveAllocations();
        assertThrows(IllegalStateException.class, () -> create(name, true));
        assertEquals(before, HostMemoryGpuSupport.liveAllocations(), "the allocation is given back");
        assertFalse(Files.exists(GpuStreams.data(name)));
        assertFalse(Files.exists(GpuStreams.gpu(name)));
    }

    @Test
    void aTakenNameFreesTheNewAllocation() {
        String name = name();
        try (SharedMemory first = create(name, false)) {
            int before = HostMemoryGpuSupport.liveAllocations();
            assertThrows(StreamExistsException.class, () -> create(name, false));
            assertEquals(before, HostMemoryGpuSupport.liveAllocations());
            assertTrue(Files.exists(GpuStreams.gpu(name)), "the existing stream's record stays");
        }
    }

    @Test
    void discoveryAndUnlinkIncludeTheGpuSegment() {
        String listed = name();
        String other = name();
        try (SharedMemory a = create(listed, true); SharedMemory b = create(other, false)) {
            assertTrue(SharedMemory.listStreams().containsAll(List.of(listed, other)));
            SharedMemory.unlink(listed);
            assertFalse(Files.exists(GpuStreams.gpu(listed)));
            assertFalse(Files.exists(GpuStreams.meta(listed)));
        }
    }

    /** Purge runs in a private /dev/shm: on the real one it would delete everyone's streams. */
    @Test
    void purgeRemovesTheGpuSegmentToo() throws Exception {
        assumeTrue(PrivateShm.available(), "needs `unshare -rm` (user and mount namespaces) for a private /dev/shm");
        List<String> lines = PrivateShm.run(List.of(
                PrivateShm.javaPeer("create-gpu", "purged-gpu"),
                "ls /dev/shm | sed 's/^/made /'",
                PrivateShm.javaPeer("purge", "-"),
                "ls /dev/shm | sed 's/^/left /'"));
        String base = io.arrowshm.internal.format.StreamNames.of("purged-gpu").base();
        assertEquals(List.of("created cuda:0", "made " + base, "made " + base + "_gpu", "made " + base + "_meta",
                "purged purged-gpu"), lines);
    }

    @Test
    void handlesCloseTheirDeviceMemory() {
        String name = name();
        int before = HostMemoryGpuSupport.liveAllocations();
        SharedMemory creator = create(name, false);
        SharedMemory reopened = attach(name); // the creating process reuses its own allocation
        assertEquals(creator.deviceView().pointer(), reopened.deviceView().pointer());
        creator.close();
        assertEquals(before + 1, HostMemoryGpuSupport.liveAllocations(), "still used by the reopened handle");
        reopened.close();
        assertEquals(before, HostMemoryGpuSupport.liveAllocations());
        reopened.close(); // idempotent
    }

    @Test
    void staleGenerationsKeepTheirOwnRecord() throws Exception {
        String name = name();
        SharedMemory old = create(name, true);
        byte[] oldRecord = Files.readAllBytes(GpuStreams.gpu(name));
        SharedMemory.unlink(name);
        try (SharedMemory fresh = create(name, true)) {
            byte[] freshRecord = Files.readAllBytes(GpuStreams.gpu(name));
            assertFalse(java.util.Arrays.equals(oldRecord, freshRecord));
            assertThrows(StaleStreamException.class, old::unlink);
            assertArrayEquals(freshRecord, Files.readAllBytes(GpuStreams.gpu(name)), "the new generation's record stays");
            try (SharedMemory attached = attach(name)) {
                assertEquals(fresh.deviceView().pointer(), attached.deviceView().pointer());
            }
        }
    }

    @Test
    void autoUnlinkRemovesTheGpuSegment() {
        String name = name();
        SharedMemory.create(name, CreateOptions.of(DType.INT32, 3).gpuDevice("cuda:0").autoUnlink(true)).close();
        assertFalse(Files.exists(GpuStreams.gpu(name)));
        assertFalse(Files.exists(GpuStreams.meta(name)));
    }

    @Test
    void openingOnTheWrongDeviceOrACpuStreamFails() {
        String gpu = name();
        String cpu = name();
        try (SharedMemory a = create(gpu, true); SharedMemory b = SharedMemory.create(cpu, DType.FLOAT32, 2)) {
            IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class,
                    () -> SharedMemory.open(gpu, OpenOptions.gpuDevice("cuda:1")));
            assertTrue(wrong.getMessage().contains("requested GPU device cuda:1 does not match stored device cuda:0"),
                    wrong.getMessage());
            SharedMemoryException notGpu = assertThrows(SharedMemoryException.class,
                    () -> SharedMemory.open(cpu, OpenOptions.gpuDevice("cuda:0")));
            assertTrue(notGpu.getMessage().contains("does not advertise a valid CUDA device"), notGpu.getMessage());
        }
    }

    @Test
    void aMissingGpuSegmentIsAClearError() throws Exception {
        String name = name();
        try (SharedMemory shm = create(name, true)) {
            Files.delete(GpuStreams.gpu(name));
            SharedMemoryException e = assertThrows(SharedMemoryException.class, () -> attach(name));
            assertTrue(e.getMessage().contains("_gpu segment"), e.getMessage());
        }
    }

    // ------------------------------------------------------------------ writes, mirror and reads

    @Test
    void aHostWriteReachesTheDeviceAndTheMirrorInTheSamePublication() {
        String name = name();
        try (SharedMemory shm = create(name, true); SharedMemory cpuOnly = SharedMemory.open(name)) {
            float[] frame = {1, 2, 3, 4, 5, 6};
            List<String> atSync = new ArrayList<>();
            HostMemoryGpuSupport.observe(call -> {
                if (call.equals("synchronize")) {
                    atSync.add(shm.writeSequence() + " " + java.util.Arrays.toString(GpuStreams.dataSegment(name))
                            + " " + java.util.Arrays.toString(GpuStreams.device(shm)));
                }
            });
            shm.write(frame, 42);
            // Synchronize ran inside the publication (odd sequence), after the mirror and the device were written.
            assertEquals(List.of("1 [1.0, 2.0, 3.0, 4.0, 5.0, 6.0] [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]"), atSync);
            assertEquals(2, shm.writeSequence());
            assertArrayEquals(frame, GpuStreams.device(shm));
            float[] viaMirror = new float[6];
            cpuOnly.readInto(viaMirror);
            assertArrayEquals(frame, viaMirror);
            try (Publication p = cpuOnly.readPublication()) {
                assertEquals(1, p.count());
                assertEquals(42, p.frameId());
            }
        }
    }

    @Test
    void withoutAMirrorTheDeviceHandleReadsTheDevice() {
        String name = name();
        try (SharedMemory shm = create(name, false)) {
            float[] frame = {6, 5, 4, 3, 2, 1};
            shm.write(frame);
            // The data segment was only the writer's staging; make it differ to prove reads use the device.
            java.util.Arrays.fill(frame, 0);
            float[] read = new float[6];
            try (SharedMemory reader = attach(name)) {
                reader.readInto(read);
                assertArrayEquals(new float[] {6, 5, 4, 3, 2, 1}, read);
                try (ArrowBuf copy = reader.read()) {
                    assertEquals(6f, copy.getFloat(0));
                }
                assertTrue(HostMemoryGpuSupport.calls().contains("copyToHost"));
            }
        }
    }

    @Test
    void writesFromDeviceMemoryAndDeviceReads() {
        String name = name();
        long source = HostMemoryGpuSupport.scratch(24);
        long target = HostMemoryGpuSupport.scratch(24);
        try (SharedMemory shm = create(name, true)) {
            GpuStreams.putFloats(source, new float[] {9, 8, 7, 6, 5, 4});
            shm.writeFromDevice(source, 7);
            assertEquals(1, shm.count());
            assertEquals(7, shm.frameId());
            assertArrayEquals(new float[] {9, 8, 7, 6, 5, 4}, GpuStreams.dataSegment(name), "the mirror follows");
            shm.readIntoDevice(target);
            assertArrayEquals(new float[] {9, 8, 7, 6, 5, 4}, GpuStreams.getFloats(target, 6));
            assertEquals(1, shm.lastReadCount());
            shm.clear();
            assertArrayEquals(new float[6], GpuStreams.device(shm));
            assertArrayEquals(new float[6], GpuStreams.dataSegment(name));
            assertEquals(2, shm.count());
            assertThrows(IllegalArgumentException.class, () -> shm.readIntoDevice(0));
        } finally {
            HostMemoryGpuSupport.free(source);
            HostMemoryGpuSupport.free(target);
        }
    }

    @Test
    void aWriteViewIsCarriedToTheDevice() {
        String name = name();
        try (SharedMemory shm = create(name, false)) {
            try (WriteView view = shm.writeView()) {
                view.buffer().setFloat(0, 3.5f);
                view.publish();
            }
            assertEquals(3.5f, GpuStreams.device(shm)[0]);
            assertEquals(1, shm.count());
        }
    }

    @Test
    void deviceViewDescribesThePayload() {
        String name = name();
        try (SharedMemory shm = create(name, false)) {
            var v = shm.deviceView();
            assertEquals(24, v.size());
            assertEquals(6, v.length());
            assertEquals(DType.FLOAT32, v.dtype());
            assertArrayEquals(new long[] {2, 3}, v.shape());
            assertEquals(0, v.deviceIndex());
            assertEquals("cuda:0", v.device());
        }
    }

    // ------------------------------------------------------------------ CPU-only handles

    @Test
    void aCpuOnlyHandleWithoutAMirrorHasMetadataAndLocksButNoPayload() {
        String name = name();
        try (SharedMemory shm = create(name, false); SharedMemory cpu = SharedMemory.open(name)) {
            shm.write(new float[6]);
            assertTrue(cpu.gpuEnabled());
            assertTrue(cpu.gpuDevice().isEmpty());
            assertEquals(1, cpu.count());
            try (var held = cpu.locked()) {
                assertEquals("timeout", onAnotherThread(() -> {
                    try {
                        shm.acquire(Duration.ofMillis(50));
                        shm.release();
                        return "acquired";
                    } catch (StreamTimeoutException e) {
                        return "timeout";
                    }
                }));
            }
            for (Runnable read : List.<Runnable>of(() -> cpu.readInto(new float[6]), () -> cpu.read().close(),
                    () -> cpu.readZeroCopy(b -> 0), () -> cpu.buffer().close())) {
                SharedMemoryException e = assertThrows(SharedMemoryException.class, read::run);
                assertTrue(e.getMessage().contains("without a CPU mirror"), e.getMessage());
                assertTrue(e.getMessage().contains("OpenOptions.gpuDevice(\"cuda:0\")"), e.getMessage());
                assertTrue(e.getMessage().contains("cpuMirror(true)"), e.getMessage());
            }
            SharedMemoryException write = assertThrows(SharedMemoryException.class, () -> cpu.write(new float[6]));
            assertTrue(write.getMessage().contains("CPU-only handle"), write.getMessage());
            assertThrows(SharedMemoryException.class, cpu::deviceView);
            assertThrows(SharedMemoryException.class, () -> cpu.readIntoDevice(1));
            assertEquals(1, cpu.count(), "nothing was published");
        }
    }

    @Test
    void aCpuOnlyHandleWithAMirrorReadsItButDoesNotWrite() {
        String name = name();
        try (SharedMemory shm = create(name, true); SharedMemory cpu = SharedMemory.open(name, OpenOptions.readOnly())) {
            shm.write(new float[] {1, 1, 2, 3, 5, 8});
            float[] read = new float[6];
            cpu.readInto(read);
            assertEquals(8f, read[5]);
            try (SharedMemory writable = SharedMemory.open(name)) {
                assertThrows(SharedMemoryException.class, () -> writable.write(new float[6]));
                assertThrows(SharedMemoryException.class, writable::writeView);
                assertThrows(SharedMemoryException.class, writable::clear);
            }
        }
    }

    @Test
    void aCpuStreamHasNoDeviceCalls() {
        String name = name();
        try (SharedMemory cpu = SharedMemory.create(name, DType.FLOAT32, 2)) {
            assertThrows(SharedMemoryException.class, cpu::deviceView);
            assertThrows(SharedMemoryException.class, () -> cpu.writeFromDevice(1));
            cpu.write(new float[2]);
        }
        assertTrue(HostMemoryGpuSupport.calls().isEmpty());
    }

    // ------------------------------------------------------------------ failures mid-publication

    @Test
    void aFailedDeviceCopyAbortsThePublicationUntilTheNextWrite() {
        for (String failing : List.of("copyFromHost", "synchronize")) {
            String name = name();
            try (SharedMemory shm = create(name, true); SharedMemory mirrorReader = SharedMemory.open(name)) {
                shm.write(new float[] {1, 2, 3, 4, 5, 6}, 5);
                HostMemoryGpuSupport.failNext(failing);
                IllegalStateException e = assertThrows(IllegalStateException.class,
                        () -> shm.write(new float[] {7, 7, 7, 7, 7, 7}, 6));
                assertTrue(e.getMessage().contains("injected failure in " + failing), e.getMessage());
                assertTrue(shm.writeSequence() < 0, "sequence " + shm.writeSequence());
                assertEquals(1, shm.count());
                assertEquals(5, shm.frameId());
                assertThrows(InconsistentStreamException.class, () -> shm.readInto(new float[6]));
                assertThrows(InconsistentStreamException.class, () -> mirrorReader.readInto(new float[6]));
                long target = HostMemoryGpuSupport.scratch(24);
                try {
                    assertThrows(InconsistentStreamException.class, () -> shm.readIntoDevice(target));
                } finally {
                    HostMemoryGpuSupport.free(target);
                }
                shm.write(new float[] {8, 8, 8, 8, 8, 8});
                float[] read = new float[6];
                mirrorReader.readInto(read);
                assertArrayEquals(new float[] {8, 8, 8, 8, 8, 8}, read);
                assertEquals(2, shm.count());
                try (var held = shm.locked(Duration.ofSeconds(1))) {
                    assertEquals(2, shm.count()); // the failure released the lock
                }
            }
        }
    }

    @Test
    void aFailedDeviceSourcedWriteOrWriteViewAborts() {
        String name = name();
        long source = HostMemoryGpuSupport.scratch(24);
        try (SharedMemory shm = create(name, false)) {
            HostMemoryGpuSupport.failNext("copyFromDevice");
            assertThrows(IllegalStateException.class, () -> shm.writeFromDevice(source));
            assertTrue(shm.writeSequence() < 0);
            assertThrows(InconsistentStreamException.class, () -> shm.readInto(new float[6]));
            shm.write(new float[6]);
            HostMemoryGpuSupport.failNext("copyFromHost");
            WriteView view = shm.writeView();
            assertThrows(IllegalStateException.class, view::publish);
            assertTrue(shm.writeSequence() < 0);
            assertEquals(1, shm.count());
            shm.writeFromDevice(source);
            assertEquals(2, shm.count());
        } finally {
            HostMemoryGpuSupport.free(source);
        }
    }

    // ------------------------------------------------------------------ consistent device reads

    @Test
    void aDeviceReadDetectsADeadWriter() throws Exception {
        String name = name();
        long target = HostMemoryGpuSupport.scratch(24);
        try (SharedMemory shm = create(name, true)) {
            shm.write(new float[6]);
            long deadPid = deadPid();
            try (FileChannel meta = FileChannel.open(GpuStreams.meta(name), StandardOpenOption.READ,
                    StandardOpenOption.WRITE)) {
                ByteBuffer odd = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
                odd.putLong(0, 3);
                meta.write(odd, MetadataLayout.WRITE_SEQUENCE_OFFSET);
                ByteBuffer owner = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
                owner.putLong(0, deadPid).putInt(8, 1);
                meta.write(owner, MetadataLayout.LOCK_OWNER_PID_OFFSET);
            }
            InconsistentStreamException e = assertThrows(InconsistentStreamException.class,
                    () -> shm.readIntoDevice(target, Duration.ofSeconds(10)));
            assertTrue(e.getMessage().contains("exited during a write"), e.getMessage());
        } finally {
            HostMemoryGpuSupport.free(target);
        }
    }

    @Test
    void aDeviceReadWaitsOutAnOpenWriteAndTimesOut() {
        String name = name();
        long target = HostMemoryGpuSupport.scratch(24);
        try (SharedMemory shm = create(name, false); SharedMemory reader = attach(name)) {
            shm.write(new float[] {1, 2, 3, 4, 5, 6});
            try (WriteView view = shm.writeView()) {
                assertEquals("timeout", onAnotherThread(() -> {
                    try {
                        reader.readIntoDevice(target, Duration.ofMillis(100));
                        return "read";
                    } catch (StreamTimeoutException e) {
                        return "timeout";
                    }
                }));
            }
            assertThrows(InconsistentStreamException.class, () -> reader.readIntoDevice(target));
        } finally {
            HostMemoryGpuSupport.free(target);
        }
    }

    private static String onAnotherThread(java.util.concurrent.Callable<String> task) {
        var pool = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            return pool.submit(task).get(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        } finally {
            pool.shutdownNow();
        }
    }

    private static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        return p.pid();
    }
}

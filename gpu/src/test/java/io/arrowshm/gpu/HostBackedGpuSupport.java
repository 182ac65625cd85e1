package io.arrowshm.gpu;

import com.sun.jna.Pointer;
import io.arrowshm.spi.DevicePayload;
import io.arrowshm.spi.DeviceRequest;
import io.arrowshm.spi.GpuSupport;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A device seam whose "device" is host memory, with either of the two host-copy behaviours of
 * the real one (system property {@code hostbacked.copies}): {@code staged} (default), the
 * pinned staging path, {@link StagingPipeline} over a {@link HostMemoryEngine} with the core's
 * {@code HostMemory.copy}; or {@code native}, a native {@code memcpy} straight from or into the
 * stream's segment, as the CUDA driver's pageable {@code cuMemcpyHtoD}/{@code DtoH} copy
 * through its bounce buffer. Never registered on a test class path: only child JVMs of
 * {@link StagedTruncationTest} see it, through a services file of their own, so the core's
 * publication protocol, guard and fault handling run over both without a GPU.
 */
public final class HostBackedGpuSupport implements GpuSupport {
    /** The last payload allocated, for a child that drives it directly. */
    static volatile Payload last;

    public HostBackedGpuSupport() {
    }

    @Override
    public boolean available() {
        return true;
    }

    @Override
    public DevicePayload allocate(DeviceRequest request) {
        last = new Payload(request, Long.getLong("hostbacked.chunkBytes", 64 * 1024),
                System.getProperty("hostbacked.copies", "staged").equals("native"));
        return last;
    }

    @Override
    public DevicePayload attach(DeviceRequest request, ByteBuffer handleRecord) {
        throw new UnsupportedOperationException("the host-backed test seam has no memory to share between handles");
    }

    /** A payload in host memory whose host copies go through the staging pipeline, or a native memcpy. */
    static final class Payload implements DevicePayload {
        final DeviceRequest request;
        final HostMemoryEngine engine;
        final StagingPipeline staging;
        final boolean nativeCopies;

        Payload(DeviceRequest request, long chunkBytes, boolean nativeCopies) {
            this.request = request;
            this.nativeCopies = nativeCopies;
            StagingPipeline sizing = new StagingPipeline(request.stream(), request.size(), chunkBytes, b -> null,
                    (s, t, n) -> { });
            this.engine = new HostMemoryEngine(request.size(), sizing.bufferBytes());
            this.staging = new StagingPipeline(request.stream(), request.size(), chunkBytes, bytes -> engine,
                    engine.hostCopy());
        }

        @Override
        public int deviceIndex() {
            return request.deviceIndex();
        }

        @Override
        public long devicePointer() {
            return engine.deviceAddress;
        }

        @Override
        public long size() {
            return request.size();
        }

        @Override
        public byte[] handleRecord() {
            return "HOSTBACKED test seam".getBytes(StandardCharsets.US_ASCII);
        }

        @Override
        public void copyFromHost(long hostAddress, long bytes) {
            if (nativeCopies) {
                nativeCopy(hostAddress, engine.deviceAddress, bytes);
            } else {
                staging.upload(hostAddress, bytes);
            }
        }

        @Override
        public void copyToHost(long hostAddress, long bytes) {
            if (nativeCopies) {
                nativeCopy(engine.deviceAddress, hostAddress, bytes);
            } else {
                staging.download(hostAddress, bytes);
            }
        }

        /** JNA's reads and writes are native {@code memcpy}s: a truncated segment faults in native code. */
        private static void nativeCopy(long source, long target, long bytes) {
            int n = Math.toIntExact(bytes);
            new Pointer(target).write(0, new Pointer(source).getByteArray(0, n), 0, n);
        }

        @Override
        public void copyFromDevice(long sourcePointer, long bytes) {
            io.arrowshm.spi.HostMemory.copy(sourcePointer, engine.deviceAddress, bytes);
        }

        @Override
        public void copyToDevice(long targetPointer, long bytes) {
            io.arrowshm.spi.HostMemory.copy(engine.deviceAddress, targetPointer, bytes);
        }

        @Override
        public void synchronize() {
        }

        @Override
        public void close() {
            staging.close();
        }
    }
}

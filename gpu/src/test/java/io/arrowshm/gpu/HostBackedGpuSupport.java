package io.arrowshm.gpu;

import io.arrowshm.spi.DevicePayload;
import io.arrowshm.spi.DeviceRequest;
import io.arrowshm.spi.GpuSupport;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A device seam whose "device" is host memory but whose host copies take the real pinned
 * staging path: {@link StagingPipeline} over a {@link HostMemoryEngine}, host copies by the
 * core's {@code HostMemory.copy}. Never registered on a test class path: only child JVMs of
 * {@link StagedTruncationTest} see it, through a services file of their own, so the core's
 * publication protocol, guard and fault handling run over the staging code without a GPU.
 */
public final class HostStagedGpuSupport implements GpuSupport {
    /** The last payload allocated, for a child that drives it directly. */
    static volatile Payload last;

    public HostStagedGpuSupport() {
    }

    @Override
    public boolean available() {
        return true;
    }

    @Override
    public DevicePayload allocate(DeviceRequest request) {
        last = new Payload(request, Long.getLong("hoststaged.chunkBytes", 64 * 1024));
        return last;
    }

    @Override
    public DevicePayload attach(DeviceRequest request, ByteBuffer handleRecord) {
        throw new UnsupportedOperationException("the host-staged test seam has no memory to share between handles");
    }

    /** A payload in host memory whose host copies go through the staging pipeline. */
    static final class Payload implements DevicePayload {
        final DeviceRequest request;
        final HostMemoryEngine engine;
        final StagingPipeline staging;

        Payload(DeviceRequest request, long chunkBytes) {
            this.request = request;
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
            return "HOSTSTAGED test seam".getBytes(StandardCharsets.US_ASCII);
        }

        @Override
        public void copyFromHost(long hostAddress, long bytes) {
            staging.upload(hostAddress, bytes);
        }

        @Override
        public void copyToHost(long hostAddress, long bytes) {
            staging.download(hostAddress, bytes);
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

package io.arrowshm;

import java.util.Objects;
import java.util.Optional;
import org.apache.arrow.memory.BufferAllocator;

/**
 * How {@link SharedMemory#open(String, OpenOptions)} attaches: pyshmem's {@code open}
 * keywords, plus Java's allocator and wait strategy.
 *
 * <pre>{@code
 * try (SharedMemory shm = SharedMemory.open("frames", OpenOptions.readOnly())) {
 *     float[] frame = new float[(int) (shm.size() / 4)];
 *     shm.readInto(frame);
 * }
 * }</pre>
 */
public final class OpenOptions {
    private boolean readOnly;
    private String gpuDevice;
    private BufferAllocator allocator;
    private WaitStrategy waitStrategy = WaitStrategy.defaults();

    private OpenOptions() {
    }

    /** Read-write, CPU, default allocator and wait strategy. */
    public static OpenOptions defaults() {
        return new OpenOptions();
    }

    /** A read-only handle: segments mapped without write permission; writes, locks and unlink refused. */
    public static OpenOptions readOnly() {
        return new OpenOptions().asReadOnly(true);
    }

    /** Attach a GPU stream on {@code "cuda:N"} (needs the {@code gpu} module). */
    public static OpenOptions gpuDevice(String device) {
        return new OpenOptions().onGpuDevice(device);
    }

    public OpenOptions asReadOnly(boolean enabled) {
        this.readOnly = enabled;
        return this;
    }

    public OpenOptions onGpuDevice(String device) {
        this.gpuDevice = Objects.requireNonNull(device, "device");
        return this;
    }

    /** The allocator for the buffers {@code read()} returns (default: the library's root allocator). */
    public OpenOptions allocator(BufferAllocator bufferAllocator) {
        this.allocator = Objects.requireNonNull(bufferAllocator, "bufferAllocator");
        return this;
    }

    /** How this handle's reads wait for writers. */
    public OpenOptions waitStrategy(WaitStrategy strategy) {
        this.waitStrategy = Objects.requireNonNull(strategy, "strategy");
        return this;
    }

    public boolean isReadOnly() {
        return readOnly;
    }

    public Optional<String> gpuDevice() {
        return Optional.ofNullable(gpuDevice);
    }

    public Optional<BufferAllocator> allocator() {
        return Optional.ofNullable(allocator);
    }

    public WaitStrategy waitStrategy() {
        return waitStrategy;
    }
}

package io.arrowshm;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import org.apache.arrow.memory.BufferAllocator;

/**
 * What {@link SharedMemory#create(String, CreateOptions)} makes: pyshmem's {@code create}
 * keywords, plus Java's allocator and wait strategy.
 *
 * <pre>{@code
 * try (SharedMemory shm = SharedMemory.create("frames",
 *         CreateOptions.of(DType.FLOAT32, 480, 640).notify(true))) {
 *     shm.write(new float[480 * 640]);
 * }
 * }</pre>
 */
public final class CreateOptions {
    private final DType dtype;
    private final long[] shape;
    private Long size;
    private boolean notify;
    private boolean autoUnlink;
    private String gpuDevice;
    private Boolean cpuMirror;
    private BufferAllocator allocator;
    private WaitStrategy waitStrategy = WaitStrategy.defaults();

    private CreateOptions(DType dtype, long[] shape) {
        this.dtype = Objects.requireNonNull(dtype, "dtype");
        this.shape = Objects.requireNonNull(shape, "shape").clone();
    }

    /** A stream of {@code dtype} elements in C order with dimensions {@code shape} (1..19 positive dims). */
    public static CreateOptions of(DType dtype, long... shape) {
        return new CreateOptions(dtype, shape);
    }

    /** pyshmem's optional {@code size=} check: it must equal prod(shape) * itemsize. */
    public CreateOptions size(long bytes) {
        this.size = bytes;
        return this;
    }

    /** Sets the NOTIFY flag: writers wake parked readers with a futex instead of readers polling. */
    public CreateOptions notify(boolean enabled) {
        this.notify = enabled;
        return this;
    }

    /** {@code close()} of the creating handle unlinks the stream (pyshmem's {@code auto_unlink}). */
    public CreateOptions autoUnlink(boolean enabled) {
        this.autoUnlink = enabled;
        return this;
    }

    /** A CUDA-backed stream on {@code "cuda:N"}; needs the {@code gpu} module. */
    public CreateOptions gpuDevice(String device) {
        this.gpuDevice = Objects.requireNonNull(device, "device");
        return this;
    }

    /** For GPU streams: keep a host copy in the data segment too (default off; CPU streams always have it). */
    public CreateOptions cpuMirror(boolean enabled) {
        this.cpuMirror = enabled;
        return this;
    }

    /** The allocator for the buffers {@code read()} returns (default: the library's root allocator). */
    public CreateOptions allocator(BufferAllocator bufferAllocator) {
        this.allocator = Objects.requireNonNull(bufferAllocator, "bufferAllocator");
        return this;
    }

    /** How this handle's reads wait for writers. */
    public CreateOptions waitStrategy(WaitStrategy strategy) {
        this.waitStrategy = Objects.requireNonNull(strategy, "strategy");
        return this;
    }

    public DType dtype() {
        return dtype;
    }

    public long[] shape() {
        return shape.clone();
    }

    public Optional<Long> size() {
        return Optional.ofNullable(size);
    }

    public boolean notifyEnabled() {
        return notify;
    }

    public boolean autoUnlinkEnabled() {
        return autoUnlink;
    }

    public Optional<String> gpuDevice() {
        return Optional.ofNullable(gpuDevice);
    }

    /** The mirror setting as given, empty for the default (on for CPU, off for GPU). */
    public Optional<Boolean> cpuMirror() {
        return Optional.ofNullable(cpuMirror);
    }

    public Optional<BufferAllocator> allocator() {
        return Optional.ofNullable(allocator);
    }

    public WaitStrategy waitStrategy() {
        return waitStrategy;
    }

    @Override
    public String toString() {
        return "CreateOptions[dtype=" + dtype + ", shape=" + Arrays.toString(shape) + ", notify=" + notify
                + ", autoUnlink=" + autoUnlink + (gpuDevice == null ? "" : ", gpuDevice=" + gpuDevice) + "]";
    }
}

package io.arrowshm.gpu;

import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * The CUDA paths a GPU handle uses, chosen when it is created or attached (each
 * {@code SharedMemory.create}/{@code open} with a device reads the system properties below
 * once; the handle keeps them for its life). Every option is off by default because it has
 * not yet run on a device; the defaults are the paths gpu/device-check.sh has run.
 *
 * <ul>
 *   <li>{@value #PINNED_STAGING} ({@code false}): host copies go through two pinned buffers
 *       of this handle ({@code cuMemHostAlloc}), a chunk at a time, the copy into one buffer
 *       overlapping the DMA out of the other ({@link StagingPipeline}). Off: a pageable
 *       {@code cuMemcpyHtoD}/{@code DtoH} straight from the stream's data segment.</li>
 *   <li>{@value #STAGING_CHUNK_BYTES} ({@value #DEFAULT_STAGING_CHUNK_BYTES}): bytes per
 *       chunk, so the handle pins twice this (less for a smaller payload).</li>
 *   <li>{@value #EVENT_SYNC} ({@code false}): copies run on a stream of the handle's own and
 *       a publication waits for an event recorded after its copies. Off: the copies are the
 *       synchronous driver calls and a publication waits with {@code cuCtxSynchronize}, which
 *       also waits for every other stream's work in the context.</li>
 *   <li>{@value #CHECK_ALLOCATION_RANGE} ({@code false}): an attach in the creating process
 *       also asks the driver for the allocation's range ({@code cuMemGetAddressRange}) and
 *       refuses a record pointing outside it. The check against what this process allocated
 *       needs no driver call and is always on.</li>
 * </ul>
 *
 * <pre>{@code
 * System.setProperty(CudaPathOptions.PINNED_STAGING, "true");   // handles opened from now on
 * try (SharedMemory shm = SharedMemory.create("frames", CreateOptions.of(DType.FLOAT32, 480, 640)
 *         .gpuDevice("cuda:0"))) { ... }
 * // or: java -Darrowshm.gpu.pinnedStaging=true -Darrowshm.gpu.eventSync=true ...
 * }</pre>
 *
 * @param pinnedStaging host copies through the handle's pinned staging buffers
 * @param stagingChunkBytes bytes per staging chunk (a multiple of 4096)
 * @param eventSync a stream of the handle's own and an event per publication instead of {@code cuCtxSynchronize}
 * @param checkAllocationRange same-process attaches also check the record against {@code cuMemGetAddressRange}
 */
public record CudaPathOptions(boolean pinnedStaging, long stagingChunkBytes, boolean eventSync,
                              boolean checkAllocationRange) {
    /** System property: pinned staging of host copies ({@code true}/{@code false}). */
    public static final String PINNED_STAGING = "arrowshm.gpu.pinnedStaging";
    /** System property: bytes per staging chunk. */
    public static final String STAGING_CHUNK_BYTES = "arrowshm.gpu.stagingChunkBytes";
    /** System property: an own stream and an event per publication ({@code true}/{@code false}). */
    public static final String EVENT_SYNC = "arrowshm.gpu.eventSync";
    /** System property: {@code cuMemGetAddressRange} on same-process attaches ({@code true}/{@code false}). */
    public static final String CHECK_ALLOCATION_RANGE = "arrowshm.gpu.checkAllocationRange";
    /**
     * 8 MiB: large enough that the core splits each chunk's host copy across its copy threads
     * (it splits from 3 MiB) and that a 381 MiB frame is 48 DMAs, small enough that a handle
     * pins 16 MiB.
     */
    public static final long DEFAULT_STAGING_CHUNK_BYTES = 8L << 20;
    /** Smallest chunk: below it the per-chunk driver calls cost more than the copy. */
    public static final long MIN_STAGING_CHUNK_BYTES = 64L << 10;
    /** Largest chunk: each handle pins twice this. */
    public static final long MAX_STAGING_CHUNK_BYTES = 512L << 20;
    private static final long PAGE = 4096;

    /** @throws IllegalArgumentException for a chunk size out of range or not a multiple of 4096 */
    public CudaPathOptions {
        if (stagingChunkBytes < MIN_STAGING_CHUNK_BYTES || stagingChunkBytes > MAX_STAGING_CHUNK_BYTES
                || stagingChunkBytes % PAGE != 0) {
            throw new IllegalArgumentException("a staging chunk of " + stagingChunkBytes + " bytes is not a multiple"
                    + " of 4096 between " + MIN_STAGING_CHUNK_BYTES + " and " + MAX_STAGING_CHUNK_BYTES);
        }
    }

    /** The paths that have run on a device: every option off. */
    public static CudaPathOptions defaults() {
        return new CudaPathOptions(false, DEFAULT_STAGING_CHUNK_BYTES, false, false);
    }

    /** The options the system properties choose now (unset ones take their default). */
    public static CudaPathOptions fromSystemProperties() {
        return from(System::getProperty);
    }

    /**
     * The options {@code properties} (name to value, null when unset) choose.
     *
     * @throws IllegalArgumentException naming the property whose value is not {@code true},
     *     {@code false} or a valid chunk size: a typo must not silently pick a path
     */
    public static CudaPathOptions from(UnaryOperator<String> properties) {
        return new CudaPathOptions(flag(properties, PINNED_STAGING), chunk(properties), flag(properties, EVENT_SYNC),
                flag(properties, CHECK_ALLOCATION_RANGE));
    }

    /** The options as the system properties that choose them, for reports and messages. */
    public String describe() {
        return PINNED_STAGING + "=" + pinnedStaging + " " + STAGING_CHUNK_BYTES + "=" + stagingChunkBytes + " "
                + EVENT_SYNC + "=" + eventSync + " " + CHECK_ALLOCATION_RANGE + "=" + checkAllocationRange;
    }

    private static boolean flag(UnaryOperator<String> properties, String name) {
        String value = properties.apply(name);
        if (value == null) {
            return false;
        }
        switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "true":
                return true;
            case "false":
                return false;
            default:
                throw new IllegalArgumentException("system property " + name + " is \"" + value + "\"; set it to true"
                        + " or false (unset: false)");
        }
    }

    private static long chunk(UnaryOperator<String> properties) {
        String value = properties.apply(STAGING_CHUNK_BYTES);
        if (value == null) {
            return DEFAULT_STAGING_CHUNK_BYTES;
        }
        long bytes;
        try {
            bytes = Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("system property " + STAGING_CHUNK_BYTES + " is \"" + value + "\"; set"
                    + " it to a number of bytes (unset: " + DEFAULT_STAGING_CHUNK_BYTES + ")");
        }
        try {
            return new CudaPathOptions(false, bytes, false, false).stagingChunkBytes();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("system property " + STAGING_CHUNK_BYTES + ": " + e.getMessage());
        }
    }
}

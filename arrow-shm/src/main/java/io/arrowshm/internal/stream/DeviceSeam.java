package io.arrowshm.internal.stream;

import io.arrowshm.SharedMemoryException;
import io.arrowshm.StreamNotFoundException;
import io.arrowshm.internal.format.StreamDescriptor;
import io.arrowshm.internal.format.StreamNames;
import io.arrowshm.internal.posix.FaultBarrier;
import io.arrowshm.internal.posix.Mapping;
import io.arrowshm.internal.posix.Segments;
import io.arrowshm.spi.DevicePayload;
import io.arrowshm.spi.DeviceRequest;
import io.arrowshm.spi.GpuSupport;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * Finding the device seam's implementation, parsing device names, and the {@code _gpu}
 * segment's bytes. The core's only contact with GPUs besides {@link DeviceLink}.
 */
public final class DeviceSeam {
    private DeviceSeam() {
    }

    /**
     * The CUDA ordinal of {@code "cuda:N"} (or {@code "cuda"}, ordinal 0, as torch reads it).
     *
     * @throws IllegalArgumentException for any other spelling
     */
    public static int deviceIndex(String device) {
        String d = device.strip();
        if (d.equals("cuda")) {
            return 0;
        }
        if (d.startsWith("cuda:")) {
            String ordinal = d.substring(5);
            if (!ordinal.isEmpty() && ordinal.length() <= 6 && ordinal.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return Integer.parseInt(ordinal);
            }
        }
        throw new IllegalArgumentException("only CUDA devices are currently supported: expected \"cuda:N\", got \""
                + device + "\"");
    }

    /** Every implementation on the class path (module path: the {@code provides} of other modules). */
    private static List<GpuSupport> implementations() {
        List<GpuSupport> found = new ArrayList<>();
        try {
            for (GpuSupport support : ServiceLoader.load(GpuSupport.class)) {
                found.add(support);
            }
        } catch (ServiceConfigurationError | LinkageError e) {
            // a broken provider is no provider; find() reports the absence
        }
        return found;
    }

    /** The first available implementation, else the first one (whose calls then fail with its reason). */
    public static Optional<GpuSupport> find() {
        List<GpuSupport> found = implementations();
        for (GpuSupport support : found) {
            try {
                if (support.available()) {
                    return Optional.of(support);
                }
            } catch (RuntimeException | LinkageError e) {
                // unavailable
            }
        }
        return found.stream().findFirst();
    }

    /** Whether some implementation is available here. */
    public static boolean available() {
        return find().map(s -> {
            try {
                return s.available();
            } catch (RuntimeException | LinkageError e) {
                return false;
            }
        }).orElse(false);
    }

    /** The implementation, or today's error naming what is missing. */
    public static GpuSupport require(String name, String device, String what) {
        return find().orElseThrow(() -> new UnsupportedOperationException("GPU streams need the arrow-shm gpu module"
                + " (io.arrowshm:arrow-shm-gpu) on the class path (requested " + device + " to " + what + " '" + name
                + "'); " + (what.equals("create") ? "create a CPU stream instead" : "open it without a device"
                + " (CPU-only: metadata, locks and the CPU mirror, if any)")));
    }

    /**
     * Opens a GPU stream with its device attached (pyshmem's strict {@code open(name,
     * gpu_device="cuda:N")}): no fallback to the mirror, every failure propagates. The
     * {@code _gpu} segment is read only after the metadata, and kept only if the metadata
     * still names the same generation afterwards.
     */
    public static Attached openOnDevice(StreamNames names, boolean readOnly, String device) {
        String name = names.name();
        int requested = deviceIndex(device);
        GpuSupport support = require(name, device, "attach");
        for (int attempt = 0; ; attempt++) {
            Attached attached = Lifecycle.open(names, readOnly);
            try {
                StreamDescriptor d = attached.descriptor();
                if (!d.gpuEnabled() || d.deviceIndex() < 0) {
                    throw new SharedMemoryException("'" + name + "' does not advertise a valid CUDA device: it is a"
                            + " CPU stream; open it without OpenOptions.gpuDevice");
                }
                if (d.deviceIndex() != requested) {
                    throw new IllegalArgumentException("requested GPU device cuda:" + requested
                            + " does not match stored device cuda:" + d.deviceIndex() + " of '" + name + "'");
                }
                ByteBuffer record = readRecord(names.gpuSegment());
                if (!Segments.stillNames(names.metaSegment(), attached.metadata())) {
                    attached.release(); // a newer generation took the name meanwhile: its record is not ours
                    if (attempt >= 10) {
                        throw new SharedMemoryException("stream '" + name + "' was replaced by new generations"
                                + " faster than it could be opened; try again");
                    }
                    continue;
                }
                if (record == null) {
                    throw new StreamNotFoundException("the _gpu segment of GPU stream '" + name + "' is missing ("
                            + names.gpuSegment() + "); its creator did not finish or it was removed: recreate it");
                }
                DevicePayload payload = support.attach(new DeviceRequest(name, d.deviceIndex(), d.dtype(), d.shape(),
                        d.size(), d.creatorPid()), record);
                return attached.withDevice(payload);
            } catch (RuntimeException | Error e) {
                attached.release();
                throw e;
            }
        }
    }

    /** Creates the {@code _gpu} segment holding exactly {@code record}. */
    static void writeRecord(String segment, byte[] record) {
        try (Mapping mapping = Segments.create(segment, record.length)) {
            mapping.byteBuffer(0, record.length).put(0, record);
            FaultBarrier.deliverPending();
        } catch (InternalError e) {
            throw new SharedMemoryException("the _gpu segment " + segment + " faulted while it was written", e);
        }
    }

    /** A private copy of the {@code _gpu} segment, or null when there is none. */
    public static ByteBuffer readRecord(String segment) {
        try (Mapping mapping = Segments.open(segment, false)) {
            if (mapping == null) {
                return null;
            }
            if (mapping.length() > 1 << 20) {
                throw new SharedMemoryException("the _gpu segment " + segment + " is " + mapping.length()
                        + " bytes, more than any handle record; recreate the stream");
            }
            byte[] copy = new byte[(int) mapping.length()];
            if (copy.length > 0) {
                mapping.byteBuffer(0, copy.length).get(0, copy);
                FaultBarrier.deliverPending();
            }
            return ByteBuffer.wrap(copy).asReadOnlyBuffer();
        } catch (InternalError e) {
            throw new SharedMemoryException("the _gpu segment " + segment + " was truncated while it was read", e);
        }
    }
}

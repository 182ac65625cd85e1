package io.arrowshm.gpu;

/**
 * Whether this process can use CUDA, found out once, lazily, on first use. Loading this
 * class loads nothing native; the first {@link #status()} loads the driver library and
 * JCuda, and every failure there (no {@code libcuda.so.1}, no device, a JCuda linkage error)
 * becomes {@code available() == false} with the reason, never a crash.
 *
 * <pre>{@code
 * if (CudaDriver.status().available()) { ... }
 * CudaDriver.require("attach 'frames' on cuda:0");   // or GpuUnavailableException with the reason
 * }</pre>
 */
public final class CudaDriver {
    private CudaDriver() {
    }

    /** The result of probing this JVM; the probe runs once, on the first call. */
    public static CudaStatus status() {
        return Probed.STATUS;
    }

    /**
     * Returns the status when CUDA is available.
     *
     * @param operation what the caller was about to do, for the message (e.g. "attach 'frames' on cuda:0")
     * @throws GpuUnavailableException with the probe's reason and what to do instead
     */
    public static CudaStatus require(String operation) {
        CudaStatus status = status();
        if (!status.available()) {
            throw new GpuUnavailableException("cannot " + operation + ": CUDA is not available in this process: "
                    + status.detail() + "; install the NVIDIA driver on a host with a GPU, or use the stream"
                    + " CPU-only (GPU streams created with a CPU mirror stay readable through it)");
        }
        return status;
    }

    /** Holder idiom: the JVM runs the probe exactly once, on first access, thread-safely. */
    private static final class Probed {
        static final CudaStatus STATUS = CudaProbe.system().run();
    }
}

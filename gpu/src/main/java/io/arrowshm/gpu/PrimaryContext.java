package io.arrowshm.gpu;

import java.util.function.IntSupplier;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.JCudaDriver;

/**
 * One reference to a device's primary context (the one torch and the runtime API use), held
 * from {@link #retain} to {@link #release()}. Driver calls run with it pushed and popped
 * around them, so any thread may make them.
 */
final class PrimaryContext {
    private final int ordinal;
    private final CUdevice device;
    private final CUcontext context;
    private boolean released;

    private PrimaryContext(int ordinal, CUdevice device, CUcontext context) {
        this.ordinal = ordinal;
        this.device = device;
        this.context = context;
    }

    /** Retains cuda:{@code ordinal}'s primary context. */
    static PrimaryContext retain(int ordinal) {
        CUdevice device = new CUdevice();
        CudaCallException.requireSuccess(JCudaDriver.cuDeviceGet(device, ordinal), "cuDeviceGet(" + ordinal + ")");
        CUcontext context = new CUcontext();
        CudaCallException.requireSuccess(JCudaDriver.cuDevicePrimaryCtxRetain(context, device),
                "cuDevicePrimaryCtxRetain");
        return new PrimaryContext(ordinal, device, context);
    }

    int ordinal() {
        return ordinal;
    }

    /** Makes {@code call} (a driver call) with the context current; throws naming it unless it succeeded. */
    void run(IntSupplier call, String name) {
        CudaCallException.requireSuccess(JCudaDriver.cuCtxPushCurrent(context), "cuCtxPushCurrent");
        try {
            CudaCallException.requireSuccess(call.getAsInt(), name);
        } finally {
            JCudaDriver.cuCtxPopCurrent(new CUcontext());
        }
    }

    /** Drops the reference; idempotent. */
    synchronized void release() {
        if (!released) {
            released = true;
            JCudaDriver.cuDevicePrimaryCtxRelease(device);
        }
    }
}

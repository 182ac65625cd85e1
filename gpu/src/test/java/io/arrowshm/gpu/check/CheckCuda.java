package io.arrowshm.gpu.check;

import java.util.function.IntSupplier;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

/**
 * The device check's own driver calls on cuda:0, outside the library: baselines (a bare
 * {@code cuMemcpyHtoD} from pinned memory), pinned and registered host memory, and the
 * driver's view of an allocation. The primary context is retained once for the check's JVM.
 */
final class CheckCuda {
    private static CUcontext context;

    private CheckCuda() {
    }

    private static synchronized CUcontext context() {
        if (context == null) {
            DeviceCheck.check(JCudaDriver.cuInit(0), "cuInit");
            CUdevice device = new CUdevice();
            DeviceCheck.check(JCudaDriver.cuDeviceGet(device, 0), "cuDeviceGet");
            CUcontext retained = new CUcontext();
            DeviceCheck.check(JCudaDriver.cuDevicePrimaryCtxRetain(retained, device), "cuDevicePrimaryCtxRetain");
            context = retained;
        }
        return context;
    }

    /** Makes {@code call} with the context current and returns its {@code CUresult} (not checked). */
    static int result(IntSupplier call) {
        DeviceCheck.check(JCudaDriver.cuCtxPushCurrent(context()), "cuCtxPushCurrent");
        try {
            return call.getAsInt();
        } finally {
            JCudaDriver.cuCtxPopCurrent(new CUcontext());
        }
    }

    /** Makes {@code call} with the context current; throws naming it unless it succeeded. */
    static void run(IntSupplier call, String name) {
        DeviceCheck.check(result(call), name);
    }

    static String name(int result) {
        return CUresult.stringFor(result);
    }

    static Pointer host(long address) {
        return new HostAddress(address);
    }

    static CUdeviceptr device(long address) {
        return new CUdeviceptr().withByteOffset(address);
    }

    /** {@code cuMemHostAlloc}: page-locked memory of this process. */
    static long hostAlloc(long bytes) {
        Filled pointer = new Filled();
        run(() -> JCudaDriver.cuMemHostAlloc(pointer, bytes, 0), "cuMemHostAlloc");
        return pointer.address();
    }

    static void freeHost(long address) {
        run(() -> JCudaDriver.cuMemFreeHost(host(address)), "cuMemFreeHost");
    }

    /** {@code cuMemHostRegister} of {@code bytes} at {@code address}: the result, for a report. */
    static int register(long address, long bytes) {
        return result(() -> JCudaDriver.cuMemHostRegister(host(address), bytes, 0));
    }

    static int unregister(long address) {
        return result(() -> JCudaDriver.cuMemHostUnregister(host(address)));
    }

    /** {@code cuMemcpyHtoD} from host memory and a synchronize: the bare baseline. */
    static void hostToDevice(long device, long host, long bytes) {
        run(() -> JCudaDriver.cuMemcpyHtoD(device(device), host(host), bytes), "cuMemcpyHtoD");
        run(JCudaDriver::cuCtxSynchronize, "cuCtxSynchronize");
    }

    /** {@code cuMemcpyDtoD} and a synchronize: the device baseline. */
    static void deviceToDevice(long target, long source, long bytes) {
        run(() -> JCudaDriver.cuMemcpyDtoD(device(target), device(source), bytes), "cuMemcpyDtoD");
        run(JCudaDriver::cuCtxSynchronize, "cuCtxSynchronize");
    }

    /** {@code {base, bytes}} of the allocation containing {@code pointer}, per {@code cuMemGetAddressRange}. */
    static long[] addressRange(long pointer) {
        long[] bytes = {0};
        CUdeviceptr rangeBase = new CUdeviceptr();
        run(() -> JCudaDriver.cuMemGetAddressRange(rangeBase, bytes, device(pointer)), "cuMemGetAddressRange");
        return new long[] {DeviceCheck.address(rangeBase), bytes[0]};
    }

    /** Host memory at a raw address as a JCuda pointer. */
    private static final class HostAddress extends Pointer {
        HostAddress(long address) {
            super(address);
        }
    }

    /** A pointer JCuda fills, telling its address. */
    private static final class Filled extends Pointer {
        long address() {
            return getNativePointer() + getByteOffset();
        }
    }
}

package io.arrowshm.gpu;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.JCudaDriver;

/**
 * The consumer half of {@link GpuDeviceTest}'s IPC test, run in a child JVM (CUDA refuses to
 * open an IPC handle in the process that exported it): decodes the record given as hex,
 * copies the payload device-to-device under a (constant) seqlock, and prints it as floats.
 */
public final class IpcChild {
    private IpcChild() {
    }

    public static void main(String[] args) {
        GpuHandle handle = GpuHandleSegment.decode(ByteBuffer.wrap(HexFormat.of().parseHex(args[0])));
        try (CudaIpcMapping mapping = CudaIpcMapping.open(handle)) {
            CUdevice device = new CUdevice();
            GpuDeviceTest.check(JCudaDriver.cuDeviceGet(device, handle.deviceIndex()), "cuDeviceGet");
            CUcontext context = new CUcontext();
            GpuDeviceTest.check(JCudaDriver.cuDevicePrimaryCtxRetain(context, device), "cuDevicePrimaryCtxRetain");
            GpuDeviceTest.check(JCudaDriver.cuCtxPushCurrent(context), "cuCtxPushCurrent");
            CUdeviceptr copy = new CUdeviceptr();
            GpuDeviceTest.check(JCudaDriver.cuMemAlloc(copy, mapping.payloadSize()), "cuMemAlloc");
            SeqlockedCopy.copy(() -> 2L, () -> mapping.copyTo(copy), Duration.ofSeconds(5), "ipc-test");
            float[] values = new float[(int) (mapping.payloadSize() / Float.BYTES)];
            GpuDeviceTest.check(JCudaDriver.cuMemcpyDtoH(Pointer.to(values), copy, mapping.payloadSize()), "cuMemcpyDtoH");
            JCudaDriver.cuMemFree(copy);
            JCudaDriver.cuCtxPopCurrent(new CUcontext());
            JCudaDriver.cuDevicePrimaryCtxRelease(device);
            System.out.println(Arrays.toString(values));
        }
    }
}

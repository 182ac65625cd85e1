package io.arrowshm.gpu;

import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

/**
 * The only class of the probe that names JCuda types, so that loading the probe never loads
 * JCuda: {@code JCudaDriver}'s static initializer extracts and loads a native library that
 * links {@code libcuda.so.1}, and fails with {@link UnsatisfiedLinkError} where there is no
 * NVIDIA driver. {@link CudaProbe} calls this inside a catch-all.
 */
final class JCudaDriverBinding implements DriverBinding {

    @Override
    public Facts query() {
        int init = JCudaDriver.cuInit(0);
        if (init != CUresult.CUDA_SUCCESS) {
            return new Facts(init, CUresult.stringFor(init), 0, 0);
        }
        int[] version = {0};
        JCudaDriver.cuDriverGetVersion(version);
        int[] count = {0};
        int counted = JCudaDriver.cuDeviceGetCount(count);
        if (counted != CUresult.CUDA_SUCCESS) {
            return new Facts(counted, CUresult.stringFor(counted), version[0], 0);
        }
        return new Facts(init, CUresult.stringFor(init), version[0], count[0]);
    }
}

package io.arrowshm.gpu;

import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;

/**
 * Raw addresses to and from JCuda pointer objects. JCuda keeps a pointer's address in a
 * protected field, so these subclasses read and make them; its JNI layer uses
 * {@code nativePointer + byteOffset} for pointers that wrap no Java buffer.
 */
final class DevicePointers {
    private DevicePointers() {
    }

    /** A device pointer that JCuda fills ({@code cuMemAlloc}, {@code cuIpcOpenMemHandle}) and that tells its address. */
    static final class Allocated extends CUdeviceptr {
        long address() {
            return getNativePointer() + getByteOffset();
        }
    }

    /** A host pointer that JCuda fills ({@code cuMemHostAlloc}) and that tells its address. */
    static final class HostAllocated extends Pointer {
        long address() {
            return getNativePointer() + getByteOffset();
        }
    }

    /** The device address {@code address} as a JCuda device pointer. */
    static CUdeviceptr device(long address) {
        return new CUdeviceptr().withByteOffset(address);
    }

    /** Host memory at {@code address} (of this process) as a JCuda pointer. */
    static Pointer host(long address) {
        return new HostAddress(address);
    }

    private static final class HostAddress extends Pointer {
        HostAddress(long address) {
            super(address);
        }
    }
}

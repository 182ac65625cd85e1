package io.arrowshm.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The probe's containment, against stand-ins for every way a driver or JCuda can fail. */
class CudaProbeTest {
    private static final Supplier<Optional<String>> LIBRARY_PRESENT = Optional::empty;

    private static CudaStatus probe(DriverBinding binding) {
        return new CudaProbe(LIBRARY_PRESENT, () -> binding).run();
    }

    private static CudaStatus probeThrowing(Throwable thrown) {
        return probe(() -> {
            throw sneaky(thrown);
        });
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> RuntimeException sneaky(Throwable t) throws T {
        throw (T) t;
    }

    @Test
    void aMissingDriverLibraryIsTheReasonAndJCudaIsNeverTouched() {
        AtomicBoolean touched = new AtomicBoolean();
        CudaStatus s = new CudaProbe(() -> Optional.of("libcuda.so.1 cannot be loaded"), () -> {
            touched.set(true);
            return null;
        }).run();

        assertFalse(s.available());
        assertEquals("libcuda.so.1 cannot be loaded", s.detail());
        assertFalse(touched.get());
    }

    @Test
    void containsAnUnsatisfiedLinkErrorFromJCudasStaticInitializer() {
        CudaStatus s = probeThrowing(new UnsatisfiedLinkError(
                "Error while loading native library \"JCudaDriver-12.6.0-linux-x86_64\"\nlibcuda.so.1: cannot open shared object file"));

        assertFalse(s.available());
        assertTrue(s.detail().contains("UnsatisfiedLinkError: Error while loading native library"), s.detail());
    }

    @Test
    void containsAMissingJCuda() {
        CudaStatus s = probeThrowing(new NoClassDefFoundError("jcuda/driver/JCudaDriver"));

        assertFalse(s.available());
        assertTrue(s.detail().startsWith("JCuda (org.jcuda:jcuda) is not on the class path"), s.detail());
    }

    @Test
    void containsAFailureToLoadTheBindingClassItself() {
        CudaStatus s = new CudaProbe(LIBRARY_PRESENT, () -> {
            throw new NoClassDefFoundError("Could not initialize class jcuda.driver.JCudaDriver");
        }).run();

        assertFalse(s.available());
        assertTrue(s.detail().contains("Could not initialize class jcuda.driver.JCudaDriver"), s.detail());
    }

    @Test
    void containsInitializerErrorsAndNamesTheirCause() {
        CudaStatus s = probeThrowing(new ExceptionInInitializerError(new IllegalStateException("temp dir not writable")));

        assertFalse(s.available());
        assertTrue(s.detail().contains("ExceptionInInitializerError"), s.detail());
        assertTrue(s.detail().contains("IllegalStateException: temp dir not writable"), s.detail());
    }

    @Test
    void containsRuntimeExceptionsFromJCuda() {
        CudaStatus s = probeThrowing(new RuntimeException("CUDA_ERROR_UNKNOWN"));

        assertFalse(s.available());
        assertTrue(s.detail().contains("RuntimeException: CUDA_ERROR_UNKNOWN"), s.detail());
    }

    @Test
    void containsAFailingLibraryCheck() {
        CudaStatus s = new CudaProbe(() -> {
            throw new IllegalStateException("jna broken");
        }, () -> null).run();

        assertFalse(s.available());
        assertTrue(s.detail().contains("jna broken"), s.detail());
    }

    @Test
    void letsVirtualMachineErrorsThrough() {
        assertThrows(StackOverflowError.class, () -> probeThrowing(new StackOverflowError()));
    }

    @Test
    void reportsADriverWithoutDevices() {
        CudaStatus noDevice = probe(() -> new DriverBinding.Facts(100, "CUDA_ERROR_NO_DEVICE", 0, 0));
        CudaStatus zero = probe(() -> new DriverBinding.Facts(0, "CUDA_SUCCESS", 12040, 0));

        assertFalse(noDevice.available());
        assertEquals("cuInit failed with CUDA_ERROR_NO_DEVICE (driver of unknown version)", noDevice.detail());
        assertFalse(zero.available());
        assertEquals("the CUDA driver 12.4 sees no device", zero.detail());
    }

    @Test
    void reportsAWorkingDriver() {
        CudaStatus s = probe(() -> new DriverBinding.Facts(0, "CUDA_SUCCESS", 12060, 2));

        assertTrue(s.available());
        assertEquals("CUDA driver 12.6, 2 device(s)", s.detail());
        assertEquals(2, s.deviceCount());
        assertEquals(12060, s.driverVersion());
    }
}

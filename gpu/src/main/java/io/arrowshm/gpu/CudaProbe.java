package io.arrowshm.gpu;

import com.sun.jna.NativeLibrary;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Finds out, without ever letting a native failure escape, whether CUDA works here: first
 * whether the driver library loads at all (cheap, and the clearest reason on the common
 * driverless host), then what the driver says through JCuda. Every {@link Throwable} from
 * JCuda's static initializers and calls, except a {@link VirtualMachineError}, becomes an
 * unavailable {@link CudaStatus} with the reason.
 */
final class CudaProbe {
    /** The NVIDIA driver's user-space library, the one JCuda's driver binding links against. */
    static final String DRIVER_LIBRARY = "libcuda.so.1";

    private final Supplier<Optional<String>> libraryProblem;
    private final Supplier<DriverBinding> binding;

    CudaProbe(Supplier<Optional<String>> libraryProblem, Supplier<DriverBinding> binding) {
        this.libraryProblem = libraryProblem;
        this.binding = binding;
    }

    /** The probe of this JVM: JNA finds the driver library, JCuda queries it. */
    static CudaProbe system() {
        return new CudaProbe(CudaProbe::driverLibraryProblem, JCudaDriverBinding::new);
    }

    CudaStatus run() {
        Optional<String> missing = guarded(libraryProblem);
        if (missing.isPresent()) {
            return CudaStatus.unavailable(missing.get());
        }
        DriverBinding.Facts facts;
        try {
            facts = binding.get().query();
        } catch (VirtualMachineError e) {
            throw e;
        } catch (NoClassDefFoundError e) {
            return CudaStatus.unavailable(noClass(e));
        } catch (Throwable e) {
            return CudaStatus.unavailable("JCuda could not use the CUDA driver: " + describe(e));
        }
        if (facts.initResult() != 0) {
            return CudaStatus.unavailable("cuInit failed with " + facts.initResultName() + " (driver "
                    + version(facts.driverVersion()) + ")");
        }
        if (facts.deviceCount() <= 0) {
            return CudaStatus.unavailable("the CUDA driver " + version(facts.driverVersion()) + " sees no device");
        }
        return new CudaStatus(true, "CUDA driver " + version(facts.driverVersion()) + ", " + facts.deviceCount()
                + " device(s)", facts.driverVersion(), facts.deviceCount());
    }

    private static Optional<String> guarded(Supplier<Optional<String>> check) {
        try {
            return check.get();
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable e) {
            return Optional.of("checking for " + DRIVER_LIBRARY + " failed: " + describe(e));
        }
    }

    private static Optional<String> driverLibraryProblem() {
        try {
            NativeLibrary.getInstance(DRIVER_LIBRARY);
            return Optional.empty();
        } catch (UnsatisfiedLinkError e) {
            return Optional.of(DRIVER_LIBRARY + " (the NVIDIA driver library) cannot be loaded, so there is no"
                    + " CUDA driver on this host (" + telling(e.getMessage()) + ")");
        }
    }

    private static String noClass(NoClassDefFoundError e) {
        String missing = String.valueOf(e.getMessage());
        if (missing.startsWith("Could not initialize class")) {
            return "JCuda failed to initialise earlier in this JVM: " + firstLine(missing);
        }
        if (missing.startsWith("jcuda/") || missing.contains("jcuda.")) {
            return "JCuda (org.jcuda:jcuda) is not on the class path, or failed to initialise: " + firstLine(missing);
        }
        return "a class the CUDA probe needs is missing: " + firstLine(missing);
    }

    private static String describe(Throwable e) {
        StringBuilder out = new StringBuilder(e.getClass().getSimpleName()).append(": ").append(telling(e.getMessage()));
        Throwable cause = e.getCause();
        for (int depth = 0; cause != null && cause != e && depth < 3; depth++, cause = cause.getCause()) {
            out.append(" <- ").append(cause.getClass().getSimpleName()).append(": ").append(firstLine(cause.getMessage()));
        }
        String platform = System.getProperty("os.name") + "/" + System.getProperty("os.arch");
        if (!platform.equals("Linux/amd64")) {
            out.append(" (arrow-shm-gpu bundles JCuda natives for linux-x86_64 only; this JVM runs on ")
                    .append(platform).append(")");
        }
        return out.toString();
    }

    /**
     * The line of a multi-line native-loading message that names the cause (JNA and JCuda
     * both put "Unable to load..." first and the dlopen error on a later line).
     */
    private static String telling(String message) {
        if (message == null) {
            return "(no message)";
        }
        String first = firstLine(message);
        return message.lines()
                .filter(line -> line.contains("cannot open shared object") || line.contains("undefined symbol"))
                .findFirst()
                .map(line -> first + " " + firstLine(line))
                .orElse(first);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "(no message)";
        }
        String line = message.strip().lines().findFirst().orElse("");
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }

    private static String version(int encoded) {
        return encoded <= 0 ? "of unknown version" : (encoded / 1000) + "." + (encoded % 1000) / 10;
    }
}

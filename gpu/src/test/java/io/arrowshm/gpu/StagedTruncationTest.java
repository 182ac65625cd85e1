package io.arrowshm.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.arrowshm.SharedMemory;
import io.arrowshm.internal.format.StreamNames;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A GPU stream's mirror truncated by another process (this test JVM) while a child JVM uses
 * the pinned staging path: every operation ends in an exception, never a JVM crash. Through
 * the core ({@code writeFromDevice}, whose staged download copies into the truncated mirror;
 * {@code write}) it is a {@code SharedMemoryException} caused by the JVM's fault; through the
 * seam's own calls it is that fault, thrown from the call. Afterwards the staging still works.
 * The CUDA engine is replaced by host memory ({@link HostBackedGpuSupport}), so this runs
 * without a GPU; gpu/device-check.sh repeats the truncation with the real driver. The same
 * seam with native copies stands in for the default (pageable) path.
 */
@Timeout(120)
class StagedTruncationTest {
    static final Path JDK_25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64");

    @TempDir
    Path services;

    @ParameterizedTest(name = "JDK {0}")
    @ValueSource(strings = {"17", "25"})
    void aTruncatedMirrorEndsEveryStagedCopyInAnExceptionNotACrash(String jdk) throws Exception {
        List<String> out = runChild(jdk, "staged", "write-from-device,write,staged-upload,staged-download", 1 << 20, 0);
        assertEquals(expected(List.of("write-from-device SharedMemoryException <- InternalError",
                "write SharedMemoryException <- InternalError", "staged-upload InternalError",
                "staged-download InternalError"), "staging usable"), outcomes(out), "everything the child printed: " + out);
    }

    /**
     * The default CUDA path copies pageable memory with the driver's own {@code memcpy}, which
     * the JVM cannot guard. A mirror truncated before a publication must fault in the core's
     * hands first: the core's copy into the segment is delivered before the device copy starts,
     * and {@code writeFromDevice} probes the mirror before the device copies into it. (A
     * truncation during the driver's copy is the race only pinned staging closes.)
     */
    @ParameterizedTest(name = "JDK {0}")
    @ValueSource(strings = {"17", "25"})
    void aMirrorTruncatedBeforeAPublicationFaultsInTheCoreNotInTheDriversCopy(String jdk) throws Exception {
        List<String> out = runChild(jdk, "native", "write-from-device,write", 1 << 20, 0);
        assertEquals(expected(List.of("write-from-device SharedMemoryException <- InternalError",
                "write SharedMemoryException <- InternalError"), null), outcomes(out),
                "everything the child printed: " + out);
    }

    /** The same after the write path is compiled, where the fault of the core's copy is delivered late. */
    @ParameterizedTest(name = "JDK {0}")
    @ValueSource(strings = {"17", "25"})
    void aFaultOfTheCoresCompiledCopySurfacesBeforeTheDriversCopy(String jdk) throws Exception {
        List<String> out = runChild(jdk, "native", "write", 1024, 60_000);
        assertEquals(expected(List.of("write SharedMemoryException <- InternalError"), null), outcomes(out),
                "everything the child printed: " + out);
    }

    private static List<String> expected(List<String> outcomes, String last) {
        List<String> expected = new ArrayList<>();
        for (String outcome : outcomes) {
            for (int i = 0; i < 3; i++) {
                expected.add("outcome " + outcome);
            }
        }
        if (last != null) {
            expected.add(last);
        }
        return expected;
    }

    private static List<String> outcomes(List<String> out) {
        return out.stream().filter(l -> l.startsWith("outcome ") || l.startsWith("staging ")).toList();
    }

    private List<String> runChild(String jdk, String copies, String ops, int elements, int warmWrites)
            throws Exception {
        Path home = jdk.equals("25") ? JDK_25 : Path.of(System.getProperty("java.home"));
        assumeTrue(Files.isExecutable(home.resolve("bin/java")), "no JDK " + jdk + " at " + home);
        Path file = services.resolve("META-INF/services/io.arrowshm.spi.GpuSupport");
        Files.createDirectories(file.getParent());
        Files.writeString(file, HostBackedGpuSupport.class.getName() + "\n");
        String name = "arrowshm-test-truncated-" + copies + "-" + ProcessHandle.current().pid() + "-" + jdk;
        List<String> command = List.of(home.resolve("bin/java").toString(), "--add-opens=java.base/java.nio=ALL-UNNAMED",
                "--enable-native-access=ALL-UNNAMED", "-Dsun.misc.unsafe.memory.access=allow", "-Xmx256m",
                "-Dhostbacked.copies=" + copies, "-Dchild.warmWrites=" + warmWrites,
                "-XX:ErrorFile=" + Path.of(System.getProperty("java.io.tmpdir"), "arrowshm-hs_err_pid%p.log"),
                "-XX:-CreateCoredumpOnCrash",
                // The services file first, so the test seam is found before the real one (which a GPU host has).
                "-cp", services + File.pathSeparator + System.getProperty("java.class.path"),
                StagedTruncationChild.class.getName(), name, Integer.toString(elements), ops);
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        List<String> out = new ArrayList<>();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8));
             PrintWriter toChild = new PrintWriter(child.getOutputStream(), true, StandardCharsets.UTF_8)) {
            String line;
            while ((line = lines.readLine()) != null && !line.startsWith("ready")) {
                out.add(line);
            }
            assertTrue(line != null, "the child ended before it was ready: " + out);
            // 4 MiB staged is 64 chunks of the child's 64 KiB staging; native copies use none.
            String ready = warmWrites > 0 ? "ready warm" : copies.equals("staged") ? "ready 64 uploads" : "ready 0 uploads";
            assertEquals(ready, line, "the first write's path");
            try (FileChannel mirror = FileChannel.open(Path.of("/dev/shm", StreamNames.of(name).dataSegment()),
                    StandardOpenOption.WRITE)) {
                mirror.truncate(0);
            }
            toChild.println("truncated");
            while ((line = lines.readLine()) != null) {
                out.add(line);
            }
            assertTrue(child.waitFor(60, TimeUnit.SECONDS));
        } finally {
            child.destroyForcibly();
            SharedMemory.unlink(name);
        }
        assertEquals(0, child.exitValue(), "the child JVM must not crash: " + out);
        return out;
    }
}

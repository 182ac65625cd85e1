package io.arrowshm.gpu.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.abort;

import com.sun.jna.NativeLibrary;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The device check on a host without a GPU: its checks are the ones gpu/device-check.sh
 * documents, it stops cleanly without a driver, and it reads a JVM's crash banner.
 */
class DeviceCheckTest {

    @Test
    void theScriptsHeaderListsTheChecksThatRunInTheirOrder() throws Exception {
        List<String> documented = new ArrayList<>();
        Pattern check = Pattern.compile("^#   ([A-Za-z0-9][A-Za-z0-9-]+)  .*");
        boolean inList = false;
        for (String line : Files.readAllLines(Path.of("device-check.sh"))) {
            if (line.startsWith("# Checks, in order")) {
                inList = true;
            } else if (inList && line.startsWith("# Then")) {
                break;
            } else if (inList) {
                Matcher m = check.matcher(line);
                if (m.matches()) {
                    documented.add(m.group(1));
                }
            }
        }
        assertEquals(DeviceCheck.CHECKS, documented);
    }

    @Test
    void listPrintsTheChecksWithoutRunningAny() throws Exception {
        assertEquals(String.join("\n", DeviceCheck.CHECKS), run("list").strip());
    }

    @Test
    void withoutADriverTheReportStopsAtTheFirstCheckWithStatus2() throws Exception {
        try {
            NativeLibrary.getInstance("libcuda.so.1");
            abort("libcuda.so.1 loads on this host: gpu/device-check.sh runs the report here");
        } catch (UnsatisfiedLinkError expected) {
            // the host this test is for
        }
        Process report = start("report", ".");
        assertTrue(report.waitFor(60, TimeUnit.SECONDS));
        String out = new String(report.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(2, report.exitValue(), out);
        List<String> lines = out.lines().filter(l -> l.startsWith("CHECK ") || l.startsWith("SUMMARY")).toList();
        assertEquals(2, lines.size(), out);
        assertTrue(lines.get(0).startsWith("CHECK cuda-driver: FAIL no CUDA driver: libcuda.so.1 (the NVIDIA driver"
                + " library) cannot be loaded"), lines.get(0));
        assertEquals("SUMMARY: stopped, no CUDA driver on this host", lines.get(1));
    }

    @Test
    void aCrashBannerGivesTheSignalAndTheFrame() {
        List<String> banner = List.of("#", "# A fatal error has been detected by the Java Runtime Environment:", "#",
                "#  SIGBUS (0x7) at pc=0x00007f235bc99d8a, pid=17451, tid=17477", "#", "# Problematic frame:",
                "# C  [libcuda.so.1+0x2f1a3c]", "#");
        assertEquals("SIGBUS (0x7) at pc=0x00007f235bc99d8a, pid=17451, tid=17477, frame C  [libcuda.so.1+0x2f1a3c]",
                TruncationCheck.crashFrame(banner));
        assertEquals("no crash banner", TruncationCheck.crashFrame(List.of("round 1: 3 writes ok")));
    }

    private static String run(String... args) throws Exception {
        Process p = start(args);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    private static Process start(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "--add-opens=java.base/java.nio=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), DeviceCheck.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }
}

package io.arrowshm.benchmarks.jmh;

import com.google.gson.Gson;
import io.arrowshm.benchmarks.RunMode;
import io.arrowshm.benchmarks.process.Child;
import io.arrowshm.benchmarks.process.Commands;
import io.arrowshm.benchmarks.report.OpFigure;
import io.arrowshm.benchmarks.report.Skipped;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Runs {@link JmhMain} in a child JVM with heap for the 400 MB frame, so the harness (or the
 * Surefire JVM of the smoke test) keeps its own small heap, and reads back its figures: once on
 * this JVM's JDK (17 in this project) and once on JDK 25 when there is one, whose figures carry
 * {@link #JDK25_SUFFIX} (JNA there is replaced by the core's FFM calls from the multi-release jar).
 */
public final class JmhStage {
    /** Where CI and this project's machines keep JDK 25 (as .ci/consumer.sh); ARROWSHM_JDK25 overrides it. */
    static final String DEFAULT_JDK25 = "/usr/lib/jvm/temurin-25-jdk-amd64";

    /** The JDK of the JDK 25 column: {@code $ARROWSHM_JDK25}, else {@link #DEFAULT_JDK25}; it may not exist. */
    public static Path jdk25Home() {
        return Path.of(System.getenv().getOrDefault("ARROWSHM_JDK25", DEFAULT_JDK25));
    }
    /** Implementation-name suffix of the figures measured on JDK 25. */
    public static final String JDK25_SUFFIX = "@jdk25";
    private final RunMode mode;
    private final Path logs;

    public JmhStage(RunMode mode, Path logs) {
        this.mode = mode;
        this.logs = logs;
    }

    public void run(List<OpFigure> figures, List<Skipped> skipped) {
        String nd4j = nd4jClassPath();
        if (nd4j == null) {
            skipped.add(new Skipped("ND4J views", "no benchmarks/target/nd4j-lib/ beside the jar (mvn package makes it)"
                    + " and no ND4J on the class path"));
        }
        runOn(Path.of(System.getProperty("java.home")), "", nd4j, figures, skipped);
        Path jdk25 = jdk25Home();
        if (Files.isExecutable(jdk25.resolve("bin").resolve("java"))) {
            runOn(jdk25, JDK25_SUFFIX, nd4j, figures, skipped);
        } else {
            skipped.add(new Skipped("JDK 25 column", "no JDK 25 at " + jdk25 + " (set ARROWSHM_JDK25)"));
        }
    }

    /** One JMH child on {@code javaHome}; its figures' implementation names end with {@code suffix}. */
    private void runOn(Path javaHome, String suffix, String nd4j, List<OpFigure> figures, List<Skipped> skipped) {
        String tag = suffix.isEmpty() ? "" : "-" + suffix.substring(1);
        Path out = logs.resolve("jmh-figures" + tag + ".json");
        List<String> options = new ArrayList<>(List.of(JmhMain.HEAP));
        options.addAll(JmhMain.NATIVE_FLAGS);
        if (mode == RunMode.QUICK) {
            // JMH refuses to start while another JMH on this machine holds /tmp/jmh.lock; a smoke run on
            // a shared build machine only checks that every case yields a figure, so it runs anyway.
            options.add("-Djmh.ignoreLock=true");
        }
        if (!suffix.isEmpty()) {
            options.add("-D" + JmhMain.IMPL_SUFFIX + "=" + suffix);
        }
        List<String> command = Commands.java(javaHome, nd4j == null ? "" : nd4j, JmhMain.class, options,
                List.of(mode.label(), out.toString(), logs.resolve("jmh" + tag).toString()));
        Duration limit = mode == RunMode.QUICK ? Duration.ofMinutes(5) : Duration.ofMinutes(60);
        String what = "JMH benchmarks" + (suffix.isEmpty() ? "" : " on " + javaHome);
        int status;
        try (Child jmh = Child.start(command, "jmh" + tag, logs.resolve("jmh" + tag + "-stderr.log"))) {
            status = jmh.waitFor(limit);
        }
        if (status != 0 || !Files.isRegularFile(out)) {
            skipped.add(new Skipped(what, "the JMH JVM " + (status < 0 ? "overran " + limit
                    : "exited with status " + status) + "; see " + logs + "/jmh*.log"));
            return;
        }
        try {
            figures.addAll(Arrays.asList(new Gson().fromJson(Files.readString(out), OpFigure[].class)));
        } catch (IOException e) {
            skipped.add(new Skipped(what, "cannot read " + out + ": " + e));
        }
    }

    /**
     * ND4J for the view benchmark: already on the class path (the smoke test under Maven), or
     * the jars {@code mvn package} copies into {@code nd4j-lib/} beside the benchmark jar (too
     * large to shade); null when neither.
     */
    static String nd4jClassPath() {
        if (JmhMain.nd4jPresent()) {
            return "";
        }
        try {
            Path jar = Path.of(JmhStage.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path lib = jar.resolveSibling("nd4j-lib");
            if (Files.isDirectory(lib)) {
                return lib.resolve("*").toString();
            }
        } catch (java.net.URISyntaxException | RuntimeException e) {
            return null;
        }
        return null;
    }
}

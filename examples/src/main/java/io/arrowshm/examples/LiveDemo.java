package io.arrowshm.examples;

import io.arrowshm.CreateOptions;
import io.arrowshm.CursorOptions;
import io.arrowshm.DType;
import io.arrowshm.Overflow;
import io.arrowshm.Ring;
import io.arrowshm.RingOptions;
import io.arrowshm.SharedMemory;
import io.arrowshm.tools.PythonLocator;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The README's live demo: a producer JVM writes frames to a stream, a consumer JVM and (when
 * python3 with pyshmem is found) a pyshmem reader read them, each printing frames per second,
 * write-to-read latency and missed frames.
 *
 * <pre>
 * java -jar examples/target/arrow-shm-demo.jar [--seconds 5] [--fps 200] [--shape 480x640] [--no-python]
 * java -jar examples/target/arrow-shm-demo.jar --ring [--record frames.arrow]   # the same on a BLOCK ring: nothing lost
 * </pre>
 *
 * <p>Nothing but the demo's own lines reaches stdout or stderr on JDK 17 to 25: every JVM it starts
 * gets {@link JvmOptions#forThisJdk()}, and on JDK 24+ a start without
 * {@code --sun-misc-unsafe-memory-access} runs the demo again in a JVM that has it.
 */
public final class LiveDemo {
    private LiveDemo() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("producer")) {
            DemoProducer.run(args[1], Double.parseDouble(args[2]), Integer.parseInt(args[3]));
            return;
        }
        if (args.length > 0 && args[0].equals("consumer")) {
            DemoConsumer.run(args[1], Double.parseDouble(args[2]));
            return;
        }
        if (args.length > 0 && args[0].equals("producer-ring")) {
            RingDemo.produce(args[1], Double.parseDouble(args[2]), Integer.parseInt(args[3]));
            return;
        }
        if (args.length > 0 && args[0].equals("consumer-ring")) {
            RingDemo.consume(args[1], args[2]);
            return;
        }
        if (args.length > 0 && args[0].equals("recorder-ring")) {
            RingDemo.record(args[1], args[2], Path.of(args[3]));
            return;
        }
        double seconds = 5;
        int fps = 200;
        long[] shape = {480, 640};
        boolean python = true;
        boolean ring = false;
        Path record = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seconds": seconds = Double.parseDouble(args[++i]); break;
                case "--fps": fps = Integer.parseInt(args[++i]); break;
                case "--shape": shape = parseShape(args[++i]); break;
                case "--no-python": python = false; break;
                case "--ring": ring = true; break;
                case "--record": record = Path.of(args[++i]); break;
                default:
                    System.err.println("usage: java -jar arrow-shm-demo.jar [--seconds S] [--fps N] [--shape HxW] [--no-python]"
                            + " [--ring [--record FILE]]");
                    System.exit(1);
            }
        }
        if (record != null && !ring) {
            System.err.println("--record FILE goes with --ring (the recorder reads the ring through a cursor of its own)");
            System.exit(1);
        }
        if (JvmOptions.wouldWarn()) {
            int status = JvmOptions.relaunched(LiveDemo.class, args);
            if (status != 0) {
                System.exit(status);
            }
            return;
        }
        if (ring) {
            runRing(seconds, fps, shape, python, record);
        } else {
            run(seconds, fps, shape, python);
        }
    }

    /**
     * The ring demo: a BLOCK ring of 64 slots; the cursors of the Java consumer, the Python consumer
     * and the recorder exist before the first frame (with a grace that covers the readers' start), so
     * each of them gets every frame and the producer waits for the slowest.
     */
    private static void runRing(double seconds, int fps, long[] shape, boolean withPython, Path record) throws Exception {
        String name = "arrow-shm-demo-ring-" + ProcessHandle.current().pid();
        RingOptions options = RingOptions.of(DType.FLOAT32, shape).capacity(64).overflow(Overflow.BLOCK);
        try (Ring ring = Ring.create(name, options)) {
            System.out.printf("arrow-shm live demo on a ring: '%s' float32%s (%.1f MB/frame), 64 slots, BLOCK,"
                    + " %d frames/s for %.0f s%n", name, java.util.Arrays.toString(shape), ring.size() / 1e6, fps, seconds);
            Optional<String> interpreter = withPython ? PythonLocator.find().filter(LiveDemo::importsArrowShm)
                    : Optional.empty();
            List<String> cursors = new ArrayList<>(List.of("java"));
            interpreter.ifPresent(p -> cursors.add("python"));
            if (record != null) {
                cursors.add("recorder");
            }
            CursorOptions held = CursorOptions.defaults().grace(Duration.ofSeconds(60));
            for (String cursor : cursors) {
                ring.reader(cursor, held).close();   // made now, at position 0: the producer waits for it
            }
            List<Child> children = new ArrayList<>();
            children.add(Child.start("java consumer ", javaCommand("consumer-ring", name, "java")));
            if (interpreter.isPresent()) {
                Path script = extract("demo_ring_reader.py");
                children.add(Child.start("python reader ", List.of(interpreter.get(), "-u", script.toString(), name,
                        "python")));
            } else {
                System.out.println(withPython ? "(no python3 with arrow_shm found: run scripts/python-env.sh to add the"
                        + " Python consumer)" : "(python reader disabled)");
            }
            if (record != null) {
                children.add(Child.start("recorder      ", javaCommand("recorder-ring", name, "recorder",
                        record.toAbsolutePath().toString())));
            }
            awaitLive(ring, cursors.size(), 60_000); // the figures are the readers' own, not their JVMs' start
            children.add(0, Child.start("java producer ", javaCommand("producer-ring", name, Double.toString(seconds),
                    Integer.toString(fps))));
            boolean ok = true;
            for (Child child : children) {
                ok &= child.await((long) (seconds * 1000) + 90_000);
            }
            ring.unlink();
            System.out.println(ok ? "demo finished: every process exited cleanly" : "demo finished with errors");
            if (!ok) {
                System.exit(2);
            }
        }
    }

    /** Waits until {@code readers} cursors of the ring have a live reader, or {@code millis} passed. */
    private static void awaitLive(Ring ring, int readers, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (ring.cursors().stream().filter(c -> c.live()).count() < readers && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    /** Whether {@code python} imports the arrow_shm package (the Python side of rings). */
    private static boolean importsArrowShm(String python) {
        try {
            Process check = new ProcessBuilder(python, "-c", "import arrow_shm").redirectErrorStream(true).start();
            check.getInputStream().readAllBytes();
            return check.waitFor(30, TimeUnit.SECONDS) && check.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void run(double seconds, int fps, long[] shape, boolean withPython) throws Exception {
        String name = "arrow-shm-demo-" + ProcessHandle.current().pid();
        try (SharedMemory shm = SharedMemory.create(name, CreateOptions.of(DType.FLOAT32, shape).notify(true))) {
            System.out.printf("arrow-shm live demo: stream '%s' float32%s (%.1f MB/frame, notify on), %d frames/s for %.0f s%n",
                    name, java.util.Arrays.toString(shape), shm.size() / 1e6, fps, seconds);
            List<Child> children = new ArrayList<>();
            children.add(Child.start("java consumer ", javaCommand("consumer", name, Double.toString(seconds + 1))));
            Optional<String> interpreter = withPython ? PythonLocator.find() : Optional.empty();
            if (interpreter.isPresent()) {
                Path script = extract("demo_reader.py");
                children.add(Child.start("pyshmem reader", List.of(interpreter.get(), "-u", script.toString(), name,
                        Double.toString(seconds + 1))));
            } else {
                System.out.println(withPython ? "(no python3 with pyshmem found: run scripts/python-env.sh to add the"
                        + " pyshmem reader)" : "(python reader disabled)");
            }
            Thread.sleep(700); // let readers attach before the first frame
            children.add(0, Child.start("java producer ", javaCommand("producer", name, Double.toString(seconds),
                    Integer.toString(fps))));
            boolean ok = true;
            for (Child child : children) {
                ok &= child.await((long) (seconds * 1000) + 30_000);
            }
            shm.unlink();
            System.out.println(ok ? "demo finished: every process exited cleanly" : "demo finished with errors");
            if (!ok) {
                System.exit(2);
            }
        }
    }

    private static List<String> javaCommand(String... args) {
        return JvmOptions.javaCommand(LiveDemo.class, List.of("-Xmx256m"), List.of(args));
    }

    private static Path extract(String resource) throws IOException {
        Path script = Files.createTempFile("arrow-shm-demo-reader", ".py");
        script.toFile().deleteOnExit();
        try (InputStream in = LiveDemo.class.getResourceAsStream(resource)) {
            Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
        }
        return script;
    }

    private static long[] parseShape(String text) {
        String[] parts = text.split("x");
        long[] shape = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            shape[i] = Long.parseLong(parts[i]);
        }
        return shape;
    }

    /** A child process whose output lines are printed with its label. */
    private static final class Child {
        private final String label;
        private final Process process;
        private final Thread pump;

        private Child(String label, Process process) {
            this.label = label;
            this.process = process;
            this.pump = new Thread(this::pump, "demo-" + label.trim());
            this.pump.start();
        }

        static Child start(String label, List<String> command) throws IOException {
            return new Child(label, new ProcessBuilder(command).redirectErrorStream(true).start());
        }

        private void pump() {
            try (BufferedReader reader = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    System.out.println("[" + label + "] " + line);
                }
            } catch (IOException ignored) {
                // the child is gone; its exit status tells the rest
            }
        }

        boolean await(long millis) throws InterruptedException {
            if (!process.waitFor(millis, TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                System.out.println("[" + label + "] did not finish in time; killed");
                return false;
            }
            pump.join(1000);
            if (process.exitValue() != 0) {
                System.out.println("[" + label + "] exited with status " + process.exitValue());
                return false;
            }
            return true;
        }
    }
}

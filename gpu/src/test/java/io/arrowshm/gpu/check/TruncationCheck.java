package io.arrowshm.gpu.check;

import io.arrowshm.SharedMemory;
import io.arrowshm.SharedMemoryException;
import io.arrowshm.internal.format.StreamNames;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Writes while another process truncates the mirror: a child JVM per path writes a 64 MiB GPU
 * stream with a mirror back to back ({@code write} from a host array and {@code writeFromDevice}
 * in turn), and this JVM truncates the stream's data segment at a random moment, five rounds.
 * Every write must succeed or end in {@code SharedMemoryException}; a child that dies (SIGBUS in
 * the driver's copy of pageable memory, say) fails the check, with the frame that crashed.
 */
final class TruncationCheck {
    static final int ROUNDS = 5;
    static final long[] SHAPE = {16, 1 << 20};

    private TruncationCheck() {
    }

    static String run() throws Exception {
        List<String> facts = new ArrayList<>();
        boolean failed = false;
        for (GpuPaths path : new GpuPaths[] {GpuPaths.DEFAULT, GpuPaths.STAGED}) {
            String fact = child(path);
            // Every write either succeeded or was refused with the library's exception.
            failed |= fact.contains("CRASHED") || !fact.contains("no crash in " + ROUNDS + " rounds")
                    || fact.matches(".*, [1-9][0-9]* other.*");
            facts.add(fact);
        }
        String all = String.join("; ", facts);
        if (failed) {
            throw new AssertionError(all);
        }
        return all;
    }

    private static String child(GpuPaths path) throws Exception {
        String base = DeviceCheck.unique("truncation-" + path.name().toLowerCase(Locale.ROOT));
        List<String> flags = new ArrayList<>(Arrays.asList(path.jvmFlags()));
        Process child = DeviceCheck.javaChild(flags, "truncation-child", base, Integer.toString(ROUNDS));
        List<String> printed = new ArrayList<>();
        List<String> rounds = new ArrayList<>();
        Random random = new Random(27);
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8));
             PrintWriter in = new PrintWriter(child.getOutputStream(), true, StandardCharsets.UTF_8)) {
            for (int round = 1; round <= ROUNDS; round++) {
                if (until(out, "writing " + round, printed) == null) {
                    break;
                }
                Thread.sleep(random.nextInt(150));
                truncate(base + "-" + round);
                in.println("truncated");
                String result = until(out, "round " + round, printed);
                if (result == null) {
                    break;
                }
                rounds.add(result);
            }
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                printed.add(line);
            }
            if (!child.waitFor(DeviceCheck.WAIT.toSeconds(), TimeUnit.SECONDS)) {
                return path.label + ": CRASHED? the child did not exit";
            }
        } finally {
            child.destroyForcibly();
            for (int round = 1; round <= ROUNDS; round++) {
                SharedMemory.unlink(base + "-" + round);
            }
        }
        if (child.exitValue() != 0) {
            String banner = crashFrame(printed);
            if (banner.equals("no crash banner")) {
                return path.label + ": FAILED with status " + child.exitValue() + " after " + rounds.size() + " rounds "
                        + rounds + ", its last lines: " + printed.subList(Math.max(0, printed.size() - 8), printed.size());
            }
            return path.label + ": CRASHED with status " + child.exitValue() + " after " + rounds.size() + " rounds ("
                    + banner + ") " + rounds;
        }
        return path.label + ": no crash in " + rounds.size() + " rounds " + rounds;
    }

    /** The next line starting with {@code prefix}, every line read kept in {@code printed}; null at EOF. */
    private static String until(BufferedReader out, String prefix, List<String> printed) throws Exception {
        for (String line = out.readLine(); line != null; line = out.readLine()) {
            printed.add(line);
            if (line.startsWith(prefix)) {
                return line;
            }
        }
        return null;
    }

    /** The JVM's crash banner: the signal and the problematic frame. */
    static String crashFrame(List<String> printed) {
        StringBuilder frame = new StringBuilder();
        for (int i = 0; i < printed.size(); i++) {
            String line = printed.get(i);
            if (line.startsWith("#  SIG")) {
                frame.append(line.substring(1).strip());
            }
            if (line.startsWith("# Problematic frame:") && i + 1 < printed.size()) {
                frame.append(frame.length() > 0 ? ", " : "").append("frame ").append(printed.get(i + 1).substring(1)
                        .strip());
            }
        }
        return frame.length() == 0 ? "no crash banner" : frame.toString();
    }

    private static void truncate(String name) throws Exception {
        try (FileChannel data = FileChannel.open(Path.of("/dev/shm", StreamNames.of(name).dataSegment()),
                StandardOpenOption.WRITE)) {
            data.truncate(0);
        }
    }

    /** The child JVM: for each round, a fresh stream written back to back until well after the truncation. */
    static final class Child {
        public static void main(String[] args) throws Exception {
            String base = args[1];
            int rounds = Integer.parseInt(args[2]);
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            long elements = SHAPE[0] * SHAPE[1];
            float[] frame = new float[(int) elements];
            Arrays.fill(frame, 1f);
            try (DeviceCheck.Buffers device = new DeviceCheck.Buffers(elements * Float.BYTES)) {
                device.fromHost(frame);
                for (int round = 1; round <= rounds; round++) {
                    String name = base + "-" + round;
                    AtomicBoolean truncated = new AtomicBoolean();
                    Thread listener = new Thread(() -> {
                        try {
                            truncated.set("truncated".equals(in.readLine()));
                        } catch (Exception e) {
                            truncated.set(true);
                        }
                    });
                    listener.setDaemon(true);
                    int ok = 0;
                    int refused = 0;
                    int other = 0;
                    String firstRefusal = "";
                    String firstOther = "";
                    try (SharedMemory shm = SharedMemory.create(name, io.arrowshm.CreateOptions.of(io.arrowshm.DType.FLOAT32,
                            SHAPE).gpuDevice("cuda:0").cpuMirror(true))) {
                        shm.write(frame);
                        shm.writeFromDevice(device.device);
                        listener.start();
                        System.out.println("writing " + round);
                        System.out.flush();
                        int after = 0;
                        long deadline = System.nanoTime() + DeviceCheck.WAIT.toNanos() / 2;
                        for (int op = 0; after < 20 && System.nanoTime() - deadline < 0; op++) {
                            if (truncated.get()) {
                                after++;
                            }
                            try {
                                if (op % 2 == 0) {
                                    shm.write(frame);
                                } else {
                                    shm.writeFromDevice(device.device);
                                }
                                ok++;
                            } catch (SharedMemoryException e) {
                                refused++;
                                firstRefusal = firstRefusal.isEmpty() ? e.getClass().getSimpleName() : firstRefusal;
                            } catch (RuntimeException | Error e) {
                                other++;
                                firstOther = firstOther.isEmpty() ? e.toString() : firstOther;
                            }
                        }
                    } catch (RuntimeException e) {
                        other++;
                        firstOther = firstOther.isEmpty() ? "closing: " + e : firstOther;
                    } finally {
                        SharedMemory.unlink(name);
                    }
                    System.out.println("round " + round + ": " + ok + " writes ok, " + refused + " refused ("
                            + firstRefusal + "), " + other + " other" + (firstOther.isEmpty() ? "" : " (" + firstOther
                            + ")"));
                    System.out.flush();
                }
            }
        }
    }
}

package io.arrowshm.cli.bench;

import io.arrowshm.CreateOptions;
import io.arrowshm.DType;
import io.arrowshm.SharedMemory;
import io.arrowshm.SharedMemoryException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Round trips between this JVM and a child JVM ({@link PongPeer}) over two notify streams:
 * write a ping, wait for the pong. The child starts from this JVM's class path, which under
 * {@code java -jar} is the CLI jar.
 */
final class PingPong {
    private static final Duration REPLY_TIMEOUT = Duration.ofSeconds(10);
    private static final long START_TIMEOUT_SECONDS = 60;

    private PingPong() {
    }

    static Samples run(int frameBytes, int rounds) throws IOException, InterruptedException {
        String base = "arrow-shm-bench-" + ProcessHandle.current().pid();
        CreateOptions options = CreateOptions.of(DType.UINT8, frameBytes).notify(true);
        try (SharedMemory ping = SharedMemory.create(base + "-ping", options);
             SharedMemory pong = SharedMemory.create(base + "-pong", options)) {
            Process child = start(ping.name(), pong.name(), rounds);
            LastLine errors = LastLine.of(child.getErrorStream());
            try {
                BufferedReader output = new BufferedReader(new InputStreamReader(child.getInputStream(),
                        StandardCharsets.UTF_8));
                String first = output.readLine();
                if (!"ready".equals(first)) {
                    child.waitFor(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                    throw new SharedMemoryException("the ping-pong child JVM did not start: " + errors.last());
                }
                byte[] frame = new byte[frameBytes];
                Samples samples = new Samples(rounds);
                for (int i = 0; i < rounds; i++) {
                    long start = System.nanoTime();
                    ping.write(frame, i);
                    pong.waitForCount(i, REPLY_TIMEOUT);
                    samples.add(System.nanoTime() - start);
                }
                if (!child.waitFor(START_TIMEOUT_SECONDS, TimeUnit.SECONDS) || child.exitValue() != 0) {
                    throw new SharedMemoryException("the ping-pong child JVM failed: " + errors.last());
                }
                return samples;
            } finally {
                child.destroyForcibly();
                ping.unlink();
                pong.unlink();
            }
        }
    }

    private static Process start(String ping, String pong, int rounds) throws IOException {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-opens=java.base/java.nio=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED",
                "-Dsun.misc.unsafe.memory.access=allow",
                "-Xmx128m", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), PongPeer.class.getName(),
                ping, pong, Integer.toString(rounds));
        return new ProcessBuilder(command).start();
    }
}

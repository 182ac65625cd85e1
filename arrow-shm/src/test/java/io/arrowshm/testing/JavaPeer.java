package io.arrowshm.testing;

import io.arrowshm.CreateOptions;
import io.arrowshm.DType;
import io.arrowshm.MultiLock;
import io.arrowshm.OpenOptions;
import io.arrowshm.Publication;
import io.arrowshm.SharedMemory;
import io.arrowshm.StreamTimeoutException;
import io.arrowshm.WaitStrategy;
import io.arrowshm.WriteView;
import java.time.Instant;
import java.util.List;
import io.arrowshm.internal.stream.WriteHooks;
import java.time.Duration;
import java.util.Arrays;
import org.apache.arrow.memory.ArrowBuf;

/**
 * The Java side of multi-process tests, run in a child JVM by {@link PeerProcess#java}.
 * One command per run; it answers on stdout, one line per fact, so the test can follow it.
 */
public final class JavaPeer {
    private JavaPeer() {
    }

    public static void main(String[] args) throws Exception {
        String command = args[0];
        String name = args[1];
        switch (command) {
            case "create-write": { // NAME DTYPE SEED DIM...
                DType dtype = DType.fromNumpyName(args[2]);
                int seed = Integer.parseInt(args[3]);
                long[] shape = Arrays.stream(args, 4, args.length).mapToLong(Long::parseLong).toArray();
                SharedMemory shm = SharedMemory.create(name, dtype, shape);
                shm.write(Patterns.bytes(dtype, shm.size(), seed));
                shm.close();
                System.out.println("written");
                break;
            }
            case "write": { // NAME SEED
                try (SharedMemory shm = SharedMemory.open(name)) {
                    shm.write(Patterns.bytes(shm.dtype(), shm.size(), Integer.parseInt(args[2])));
                }
                System.out.println("written");
                break;
            }
            case "read": { // NAME -> sha256 of the payload
                try (SharedMemory shm = SharedMemory.open(name)) {
                    byte[] bytes = new byte[Math.toIntExact(shm.size())];
                    shm.readInto(bytes);
                    System.out.println(Patterns.sha256(bytes));
                }
                break;
            }
            case "read-arrow": { // NAME -> sha256 through read() (ArrowBuf copy)
                try (SharedMemory shm = SharedMemory.open(name); ArrowBuf copy = shm.read()) {
                    byte[] bytes = new byte[Math.toIntExact(shm.size())];
                    copy.getBytes(0, bytes);
                    System.out.println(Patterns.sha256(bytes));
                }
                break;
            }
            case "hold-lock": { // NAME MILLIS
                try (SharedMemory shm = SharedMemory.open(name); var held = shm.locked()) {
                    System.out.println("locked");
                    Thread.sleep(Long.parseLong(args[2]));
                }
                System.out.println("released");
                break;
            }
            case "try-lock": { // NAME MILLIS -> "acquired" or "timeout"
                try (SharedMemory shm = SharedMemory.open(name)) {
                    long start = System.nanoTime();
                    try (var held = shm.locked(Duration.ofMillis(Long.parseLong(args[2])))) {
                        System.out.println("acquired");
                    } catch (StreamTimeoutException e) {
                        System.out.println("timeout " + (System.nanoTime() - start) / 1_000_000);
                    }
                }
                break;
            }
            case "pause-in-write": { // NAME SEED: writes, and stops for good inside the write
                WriteHooks.installAfterCopy(stream -> {
                    System.out.println("paused");
                    System.out.flush();
                    while (true) {
                        try {
                            Thread.sleep(60_000);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                });
                try (SharedMemory shm = SharedMemory.open(name)) {
                    shm.write(Patterns.bytes(shm.dtype(), shm.size(), Integer.parseInt(args[2])));
                }
                break;
            }
            case "write-loop": { // NAME SEED: rewrites until killed, printing once started
                try (SharedMemory shm = SharedMemory.open(name)) {
                    byte[] bytes = Patterns.bytes(shm.dtype(), shm.size(), Integer.parseInt(args[2]));
                    System.out.println("writing");
                    while (true) {
                        shm.write(bytes);
                    }
                }
            }
            case "write-frame": { // NAME SEED FRAMEID
                try (SharedMemory shm = SharedMemory.open(name)) {
                    shm.write(Patterns.bytes(shm.dtype(), shm.size(), Integer.parseInt(args[2])),
                            Long.parseUnsignedLong(args[3]));
                }
                System.out.println("written");
                break;
            }
            case "read-publication": { // NAME -> "count frameId sha256"
                try (SharedMemory shm = SharedMemory.open(name); Publication p = shm.readPublication()) {
                    byte[] bytes = new byte[Math.toIntExact(shm.size())];
                    p.payload().getBytes(0, bytes);
                    System.out.println(p.count() + " " + Long.toUnsignedString(p.frameId()) + " "
                            + Patterns.sha256(bytes));
                }
                break;
            }
            case "wait-latency": { // NAME FRAMES SPINS: parks for each new frame, prints its wake latency in us
                WaitStrategy strategy = WaitStrategy.of(Integer.parseInt(args[3]), 0, Duration.ofMillis(1));
                try (SharedMemory shm = SharedMemory.open(name, OpenOptions.readOnly().waitStrategy(strategy))) {
                    System.out.println("ready " + shm.notifyEnabled());
                    for (int i = 0; i < Integer.parseInt(args[2]); i++) {
                        try (Publication p = shm.readNewPublication(Duration.ofSeconds(20))) {
                            Instant now = Instant.now();
                            double seconds = now.getEpochSecond() + now.getNano() * 1e-9;
                            System.out.printf("lat %.1f%n", (seconds - p.writeTime()) * 1e6);
                        }
                    }
                }
                System.out.println("done");
                break;
            }
            case "wait-count": { // NAME AFTER MILLIS -> count
                try (SharedMemory shm = SharedMemory.open(name)) {
                    System.out.println("ready");
                    System.out.println(shm.waitForCount(Long.parseLong(args[2]), Duration.ofMillis(Long.parseLong(args[3]))));
                }
                break;
            }
            case "locked-many": { // NAME OTHER ITERATIONS: locks both, in the order given, many times
                try (SharedMemory first = SharedMemory.open(name); SharedMemory second = SharedMemory.open(args[2])) {
                    System.out.println("ready");
                    for (int i = 0; i < Integer.parseInt(args[3]); i++) {
                        try (MultiLock held = SharedMemory.lockedMany(List.of(first, second), Duration.ofSeconds(20))) {
                            first.write(new byte[(int) first.size()]);
                            second.write(new byte[(int) second.size()]);
                        }
                    }
                }
                System.out.println("done");
                break;
            }
            case "view-abort": { // NAME: fills half the payload through a write view and abandons it
                try (SharedMemory shm = SharedMemory.open(name); WriteView view = shm.writeView()) {
                    view.buffer().setOne(0, shm.size() / 2);
                }
                System.out.println("aborted");
                break;
            }
            case "view-publish": { // NAME SEED FRAMEID: fills the live payload and publishes it
                try (SharedMemory shm = SharedMemory.open(name); WriteView view = shm.writeView()) {
                    view.buffer().setBytes(0, Patterns.bytes(shm.dtype(), shm.size(), Integer.parseInt(args[2])));
                    view.frameId(Long.parseUnsignedLong(args[3])).publish();
                }
                System.out.println("published");
                break;
            }
            case "create-gpu": { // NAME: a GPU stream on cuda:0 without a mirror (needs a device seam on the class path)
                try (SharedMemory shm = SharedMemory.create(name, CreateOptions.of(DType.FLOAT32, 4, 4)
                        .gpuDevice("cuda:0").cpuMirror(false))) {
                    System.out.println("created " + shm.gpuDevice().orElse("cpu"));
                }
                break;
            }
            case "purge": { // - : purges every stream, printing the names removed
                for (String purged : SharedMemory.purge()) {
                    System.out.println("purged " + purged);
                }
                break;
            }
            case "list": { // - : prints every valid stream name
                for (String listed : SharedMemory.listStreams()) {
                    System.out.println("listed " + listed);
                }
                break;
            }
            default:
                throw new IllegalArgumentException("unknown command " + command);
        }
    }
}

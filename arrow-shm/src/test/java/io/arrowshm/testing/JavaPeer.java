package io.arrowshm.testing;

import io.arrowshm.DType;
import io.arrowshm.SharedMemory;
import io.arrowshm.StreamTimeoutException;
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
            default:
                throw new IllegalArgumentException("unknown command " + command);
        }
    }
}

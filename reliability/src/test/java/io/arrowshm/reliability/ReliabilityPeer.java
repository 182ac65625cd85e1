package io.arrowshm.reliability;

import io.arrowshm.InconsistentStreamException;
import io.arrowshm.OpenOptions;
import io.arrowshm.Publication;
import io.arrowshm.SharedMemory;
import io.arrowshm.StreamTimeoutException;
import io.arrowshm.WaitStrategy;
import java.time.Duration;

/** The Java side of the reliability suite, run in child JVMs; answers in stdout lines. */
public final class ReliabilityPeer {
    private ReliabilityPeer() {
    }

    public static void main(String[] args) {
        String name = args[1];
        switch (args[0]) {
            case "frames-loop": { // NAME WRITER COUNT(0 = until killed)
                int writer = Integer.parseInt(args[2]);
                long limit = Long.parseLong(args[3]);
                try (SharedMemory shm = SharedMemory.open(name)) {
                    long[] frame = new long[(int) (shm.size() / 8)];
                    for (long i = 1; limit == 0 || i <= limit; i++) {
                        Frames.fill(frame, Frames.seed(writer, i));
                        shm.write(frame);
                        if (i == 1) {
                            System.out.println("writing");
                            System.out.flush();
                        }
                    }
                }
                System.out.println("done");
                break;
            }
            case "frames-read": { // NAME SPINS: checks every new publication until writers go quiet for 2 s
                WaitStrategy strategy = WaitStrategy.spinning(Integer.parseInt(args[2]));
                long torn = 0;
                long reads = 0;
                long inconsistent = 0;
                long nonIncreasing = 0;
                long lastCount = -1;
                try (SharedMemory shm = SharedMemory.open(name, OpenOptions.readOnly().waitStrategy(strategy))) {
                    long[] frame = new long[(int) (shm.size() / 8)];
                    System.out.println("ready");
                    System.out.flush();
                    while (true) {
                        try (Publication p = shm.readNewPublication(Duration.ofSeconds(reads == 0 ? 30 : 2))) {
                            p.payload().nioBuffer(0, (int) shm.size()).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                                    .asLongBuffer().get(frame);
                            reads++;
                            torn += Frames.whole(frame) ? 0 : 1;
                            nonIncreasing += p.count() > lastCount ? 0 : 1;
                            lastCount = p.count();
                        } catch (InconsistentStreamException e) {
                            inconsistent++;
                            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000); // until a writer repairs it
                        } catch (StreamTimeoutException e) {
                            break;
                        }
                    }
                }
                System.out.println("reads " + reads + " torn " + torn + " inconsistent " + inconsistent
                        + " nonincreasing " + nonIncreasing);
                break;
            }
            default:
                throw new IllegalArgumentException(args[0]);
        }
    }
}

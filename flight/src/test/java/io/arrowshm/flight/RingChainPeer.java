package io.arrowshm.flight;

import io.arrowshm.CursorOptions;
import io.arrowshm.Ring;
import io.arrowshm.RingFrame;
import io.arrowshm.RingReader;
import io.arrowshm.StreamTimeoutException;
import io.arrowshm.testing.RingFrames;
import java.time.Duration;

/**
 * The ends of the ring mirror chain, each run in a child JVM: a mirror (to kill and start again)
 * and a reader of the mirror's local ring that checks every frame by its frame id (the remote
 * position: the local positions may skip one a killed mirror abandoned). One command per run.
 */
public final class RingChainPeer {
    private RingChainPeer() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "mirror": { // ADDRESS LOCAL: mirrors until killed; "connected" once the first frames can flow
                try (RingMirror mirror = RingMirror.start(FlightSource.parse(args[1]), args[2], null,
                        MirrorOptions.defaults().backoff(Duration.ofMillis(50), Duration.ofMillis(500)))) {
                    while (!mirror.stats().connected() && mirror.failure().isEmpty()) {
                        Thread.sleep(10);
                    }
                    System.out.println(mirror.failure().map(f -> "failed " + f.getMessage()).orElse("connected"));
                    System.out.flush();
                    long lastReport = 0;
                    while (mirror.failure().isEmpty()) {
                        Thread.sleep(100);
                        if (System.nanoTime() - lastReport > 1_000_000_000L) {
                            lastReport = System.nanoTime();
                            System.err.println("[mirror " + ProcessHandle.current().pid() + "] " + mirror.stats());
                        }
                    }
                    System.out.println("failed " + mirror.failure().get().getMessage());
                }
                break;
            }
            case "read-ids": { // RING CURSOR COUNT IDLE_MILLIS: reads COUNT frames, then one line of facts
                long count = Long.parseLong(args[3]);
                Duration idle = Duration.ofMillis(Long.parseLong(args[4]));
                try (Ring ring = Ring.open(args[1]); RingReader reader = ring.reader(args[2], CursorOptions.defaults())) {
                    System.out.println("ready " + reader.position());
                    System.out.flush();
                    long rows = 0;
                    long next = 0;
                    long gaps = 0;
                    long backwards = 0;
                    long torn = 0;
                    long lastId = -1;
                    while (rows < count) {
                        try (RingFrame f = reader.take(idle)) {
                            long id = f.frameId();
                            if (id < next) {
                                backwards++;
                            } else if (id > next) {
                                gaps += id - next;
                                System.err.println("[reader] gap before frame id " + id + " at local position "
                                        + f.position() + ": ids " + next + ".." + (id - 1) + " missing");
                            }
                            next = id + 1;
                            lastId = id;
                            if (!RingFrames.check(f.buffer(), ring.size(), id)) {
                                torn++;
                            }
                            rows++;
                        } catch (StreamTimeoutException e) {
                            break;
                        }
                    }
                    System.out.println("read " + rows + " last " + lastId + " gaps " + gaps + " backwards " + backwards
                            + " torn " + torn + " lost " + reader.lost() + " abandoned " + reader.abandoned());
                }
                break;
            }
            default:
                throw new IllegalArgumentException("unknown command " + args[0]);
        }
    }
}

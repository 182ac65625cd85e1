package io.arrowshm.flight;

import java.time.Duration;

/**
 * The mirror of the ring mirror chain, run in a child JVM so that a test can kill it and start it
 * again. One command per run.
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
            default:
                throw new IllegalArgumentException("unknown command " + args[0]);
        }
    }
}

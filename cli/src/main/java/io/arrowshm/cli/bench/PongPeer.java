package io.arrowshm.cli.bench;

import io.arrowshm.Publication;
import io.arrowshm.SharedMemory;
import java.time.Duration;

/**
 * The far end of {@code arrow-shm bench}'s ping-pong, run in a child JVM: for each ping it
 * publishes the same bytes and frame id as a pong. It waits level-triggered on the count, so
 * a ping that lands before it starts waiting is not lost.
 */
public final class PongPeer {
    /** A parent that stopped answering (killed, crashed) ends the child instead of leaving it waiting. */
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    private PongPeer() {
    }

    /** Arguments: PING_STREAM PONG_STREAM ROUNDS. */
    public static void main(String[] args) {
        int rounds = Integer.parseInt(args[2]);
        try (SharedMemory ping = SharedMemory.open(args[0]); SharedMemory pong = SharedMemory.open(args[1])) {
            byte[] frame = new byte[Math.toIntExact(ping.size())];
            long seen = ping.count();
            System.out.println("ready");
            System.out.flush();
            for (int i = 0; i < rounds; i++) {
                seen = ping.waitForCount(seen, PATIENCE);
                try (Publication p = ping.readPublication()) {
                    p.payload().getBytes(0, frame);
                    pong.write(frame, p.frameId());
                }
            }
        }
    }
}

package io.arrowshm.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.InvalidMetadataException;
import io.arrowshm.Publication;
import io.arrowshm.SharedMemory;
import io.arrowshm.StreamNotFoundException;
import io.arrowshm.testing.Names;
import io.arrowshm.testing.PeerProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Defect 8 ("a handle always belongs to one generation"): a producer in another process
 * recreates the stream in a tight loop (unlink, create, write a payload made of the new
 * generation's instance id, keep it a few ms). Every handle this JVM opens must read the payload
 * of its own generation: the 16 id bytes of its {@code instanceId()}, repeated. Opens that meet
 * the churn (no stream, half-written metadata) are retried and counted.
 */
@Timeout(120)
class GenerationChurnTest {
    private static final int SIZE = 4096;
    private final String name = Names.unique("churn");

    @AfterEach
    void removeStream() {
        SharedMemory.unlink(name);
    }

    @Test
    void handlesOpenedWhileAJavaProducerRecreatesTheStreamReadTheirOwnGeneration() {
        try (PeerProcess producer = PeerProcess.java(ReliabilityPeer.class, "churn", name, "2000")) {
            producer.await("churning", Duration.ofSeconds(30));
            check(openAndRead(Duration.ofSeconds(Scale.pick(3, 30))));
        }
    }

    @Test
    void handlesOpenedWhileAPyshmemProducerRecreatesTheStreamReadTheirOwnGeneration() {
        try (PeerProcess producer = PeerProcess.python("reliability_peer.py", "churn", name, "0.003")) {
            producer.await("churning", Duration.ofSeconds(30));
            check(openAndRead(Duration.ofSeconds(Scale.pick(3, 30))));
        }
    }

    private static final class Tally {
        long matched;
        long mismatched;
        long unwritten;
        long notFound;
        long invalid;
        final List<String> examples = new ArrayList<>();

        @Override
        public String toString() {
            return "matched " + matched + ", mismatched " + mismatched + ", unwritten " + unwritten + ", not found "
                    + notFound + ", invalid metadata " + invalid + (examples.isEmpty() ? "" : ", e.g. " + examples);
        }
    }

    private Tally openAndRead(Duration run) {
        Tally tally = new Tally();
        long end = System.nanoTime() + run.toNanos();
        byte[] payload = new byte[SIZE];
        while (System.nanoTime() < end) {
            SharedMemory shm;
            try {
                shm = SharedMemory.open(name);
            } catch (StreamNotFoundException e) {
                tally.notFound++;
                continue;
            } catch (InvalidMetadataException e) {
                tally.invalid++;
                continue;
            }
            try (shm; Publication p = shm.readPublication(Duration.ofSeconds(5))) {
                if (p.count() == 0) {
                    tally.unwritten++; // opened between create and the first write
                    continue;
                }
                String id = shm.instanceId().orElseThrow();
                byte[] idBytes = HexFormat.of().parseHex(id);
                p.payload().getBytes(0, payload);
                boolean same = true;
                for (int i = 0; i < SIZE && same; i++) {
                    same = payload[i] == idBytes[i % idBytes.length];
                }
                if (same) {
                    tally.matched++;
                } else {
                    tally.mismatched++;
                    if (tally.examples.size() < 3) {
                        tally.examples.add("handle " + id + " read payload of "
                                + HexFormat.of().formatHex(payload, 0, idBytes.length));
                    }
                }
            }
        }
        return tally;
    }

    private static void check(Tally tally) {
        System.out.println("generation churn: " + tally);
        assertEquals(0, tally.mismatched, "handles read another generation's payload: " + tally);
        assertTrue(tally.matched >= 10, "too few successful reads to mean anything: " + tally);
    }
}

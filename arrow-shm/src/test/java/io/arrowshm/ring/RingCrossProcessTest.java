package io.arrowshm.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.Ring;
import io.arrowshm.testing.Names;
import io.arrowshm.testing.PeerProcess;
import io.arrowshm.testing.RingPeer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Rings between separate JVMs: a writer process and reader processes, every frame checked by
 * content (self-checking pattern), position and frame id. {@code -Darrowshm.long=true} runs the
 * long form (10^6 frames).
 */
class RingCrossProcessTest {
    private static final Duration TIMEOUT = Duration.ofMinutes(5);
    private final String name = Names.unique("ring-xp");

    @AfterEach
    void removeRing() {
        Ring.unlink(name);
    }

    private static long frames() {
        return Boolean.getBoolean("arrowshm.long") ? 1_000_000 : 100_000;
    }

    /** Every field of a reader's summary line ("read 5 first 0 ..."), by name. */
    static Map<String, Long> summary(String line) {
        String[] words = line.substring(line.indexOf("read ")).split(" ");
        Map<String, Long> fields = new HashMap<>();
        for (int i = 0; i + 1 < words.length; i += 2) {
            fields.put(words[i], Long.parseLong(words[i + 1]));
        }
        return fields;
    }

    @Test
    void blockRingDeliversEveryFrameToFourReaderProcessesInOrderOnce() throws Exception {
        long n = frames();
        PeerProcess.java(RingPeer.class, "create", name, "uint8", "64", "BLOCK", "388").finish(TIMEOUT);
        List<PeerProcess> readers = new ArrayList<>();
        try {
            for (int r = 0; r < 4; r++) {
                PeerProcess reader = PeerProcess.java(RingPeer.class, "read", name, "reader-" + r, Long.toString(n),
                        "30000", "0", "true", "5000");
                readers.add(reader);
            }
            for (PeerProcess reader : readers) {
                assertEquals("ready 0", reader.nextLine(TIMEOUT));
            }
            try (PeerProcess writer = PeerProcess.java(RingPeer.class, "write", name, Long.toString(n), "0")) {
                List<String> out = writer.finish(TIMEOUT);
                assertEquals("wrote " + n + " last " + (n - 1), out.get(out.size() - 1));
            }
            for (PeerProcess reader : readers) {
                Map<String, Long> seen = summary(reader.finish(TIMEOUT).get(0));
                assertEquals(n, seen.get("read"), "every frame: " + seen);
                assertEquals(0, seen.get("first"), seen.toString());
                assertEquals(n - 1, seen.get("last"), seen.toString());
                for (String zero : List.of("lost", "abandoned", "gaps", "torn", "backwards", "badids", "framelost")) {
                    assertEquals(0, seen.get(zero), zero + ": " + seen);
                }
            }
        } finally {
            readers.forEach(PeerProcess::close);
        }
    }

    @Test
    void overwriteRingsSlowReaderCountsExactlyWhatItMissed() throws Exception {
        long n = 20_000;
        PeerProcess.java(RingPeer.class, "create", name, "uint8", "16", "OVERWRITE", "1000").finish(TIMEOUT);
        try (PeerProcess reader = PeerProcess.java(RingPeer.class, "read", name, "slow", Long.toString(n), "2000",
                "300", "true", "5000")) {
            assertEquals("ready 0", reader.nextLine(TIMEOUT));
            PeerProcess.java(RingPeer.class, "write", name, Long.toString(n), "0").finish(TIMEOUT);
            Map<String, Long> seen = summary(reader.finish(TIMEOUT).get(0));
            assertTrue(seen.get("lost") > 0, "the slow reader was lapped: " + seen);
            assertEquals(n, seen.get("read") + seen.get("lost"), "delivered + lost = written: " + seen);
            assertEquals(seen.get("lost"), seen.get("gaps"), "lost = the positions it never saw: " + seen);
            assertEquals(seen.get("lost"), seen.get("framelost"), "per-frame counts add up: " + seen);
            assertEquals(n - 1, seen.get("last"), seen.toString());
            for (String zero : List.of("abandoned", "torn", "backwards", "badids")) {
                assertEquals(0, seen.get(zero), zero + ": " + seen);
            }
        }
    }

    @Test
    void aBlockWriterRunsAtTheSlowReadersPaceAndLosesNothing() throws Exception {
        long n = 2_000;
        PeerProcess.java(RingPeer.class, "create", name, "uint8", "8", "BLOCK", "4096").finish(TIMEOUT);
        try (PeerProcess slow = PeerProcess.java(RingPeer.class, "read", name, "slow", Long.toString(n), "20000",
                "500", "true", "5000");
             PeerProcess fast = PeerProcess.java(RingPeer.class, "read", name, "fast", Long.toString(n), "20000",
                "0", "true", "5000")) {
            slow.nextLine(TIMEOUT);
            fast.nextLine(TIMEOUT);
            long start = System.nanoTime();
            PeerProcess.java(RingPeer.class, "write", name, Long.toString(n), "0").finish(TIMEOUT);
            double seconds = (System.nanoTime() - start) / 1e9;
            assertTrue(seconds > n * 500e-6 * 0.8, "the writer waited for the slow reader: " + seconds + " s");
            for (PeerProcess reader : List.of(slow, fast)) {
                Map<String, Long> seen = summary(reader.finish(TIMEOUT).get(0));
                assertEquals(n, seen.get("read"), seen.toString());
                assertEquals(0, seen.get("lost") + seen.get("gaps") + seen.get("torn") + seen.get("backwards"),
                        seen.toString());
            }
        }
    }
}

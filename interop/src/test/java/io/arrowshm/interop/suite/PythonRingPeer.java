package io.arrowshm.interop.suite;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.testing.PeerProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One python3 process running interop/src/test/python/ring_peer.py (arrow_shm from python/,
 * installed in the build's venv): started, awaited at its "ready" line, killed or finished.
 */
final class PythonRingPeer implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofMinutes(5);
    private final PeerProcess process;

    private PythonRingPeer(PeerProcess process) {
        this.process = process;
    }

    static PythonRingPeer start(String... args) {
        return new PythonRingPeer(PeerProcess.python("ring_peer.py", args));
    }

    /** Runs one command to its end and returns its answer. */
    static Reply run(String... args) {
        try (PythonRingPeer peer = start(args)) {
            return peer.finish();
        }
    }

    /** Waits for the peer's "ready ..." line and returns it. */
    String ready() {
        while (true) {
            String line = process.nextLine(TIMEOUT);
            if (line.startsWith("ready")) {
                return line;
            }
            assertTrue(!line.startsWith("err"), "the peer failed: " + line);
        }
    }

    Reply finish() {
        List<String> lines = new ArrayList<>(process.finish(TIMEOUT));
        assertTrue(!lines.isEmpty(), "the peer printed nothing");
        Reply reply = Reply.parse(lines.get(lines.size() - 1));
        assertTrue(reply.ok(), "the peer failed: " + reply.line());
        return reply;
    }

    /** Waits for the process to end and returns its exit status (128 + 9 after a SIGKILL). */
    int waitFor() {
        return process.waitFor(TIMEOUT);
    }

    long pid() {
        return process.pid();
    }

    /** SIGKILL, as a crash would end it. */
    void kill() {
        process.kill();
    }

    @Override
    public void close() {
        process.close();
    }
}

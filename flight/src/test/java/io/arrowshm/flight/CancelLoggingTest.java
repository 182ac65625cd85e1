package io.arrowshm.flight;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.DType;
import io.arrowshm.SharedMemory;
import io.arrowshm.testing.Names;
import io.arrowshm.testing.PeerProcess;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

/**
 * A client that cancels a live {@code DoGet} (the normal way to stop reading a feed) makes the
 * server log no warning: every java.util.logging record at WARNING or above, from any logger, is
 * captured while pyarrow clients cancel mid-stream against a writer publishing 256 KiB frames.
 */
class CancelLoggingTest {
    private static final Duration PEER = Duration.ofSeconds(120);

    @Test
    void cancelledClientsLeaveNoWarning() throws Exception {
        String name = Names.unique("cancel-log");
        WarningCapture warnings = new WarningCapture();
        try (StreamFlightServer server = StreamFlightServer.start(ServeOptions.defaults().port(0));
             SharedMemory shm = SharedMemory.create(name, DType.UINT8, 256 << 10)) {
            shm.write(new byte[256 << 10]);
            String uri = "grpc://127.0.0.1:" + server.port();
            try (PeerProcess writer = PeerProcess.java(FlightPeer.class, "write-paced", name, "1000", "1000000")) {
                writer.await("writing", PEER);
                for (int i = 0; i < 5; i++) {
                    List<String> out = PyarrowFlightTest.python("get", uri, name, "5");
                    assertEquals("end", out.get(out.size() - 1), out::toString);
                }
                FlightTesting.eventually(PEER, "every cancelled call ends", () -> server.stats().clients() == 0);
            }
            assertTrue(server.stats().framesSent() >= 25, server.stats()::toString);
        } finally {
            warnings.close();
            SharedMemory.unlink(name);
        }
        assertTrue(warnings.isEmpty(), () -> "warnings: " + warnings.describe());
    }

    @Test
    void onlyTheCancelRaceRecordIsDropped() {
        LogRecord cancel = new LogRecord(Level.WARNING, "Stream Error");
        cancel.setThrown(new IllegalStateException("Stream closed before write could take place"));
        assertTrue(GrpcCancelNoise.routineCancel(cancel));
        LogRecord other = new LogRecord(Level.WARNING, "Stream Error");
        other.setThrown(new IllegalStateException("Received DATA frame for an unknown stream 3"));
        assertFalse(GrpcCancelNoise.routineCancel(other));
        assertFalse(GrpcCancelNoise.routineCancel(new LogRecord(Level.WARNING, "Stream Error")));
    }
}

package io.arrowshm.flight;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.DType;
import io.arrowshm.SharedMemory;
import io.arrowshm.testing.Names;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Closing a mirror while it is connected and rows are arriving frees all of its Arrow memory:
 * {@code StreamMirror.close()} closes its allocator without catching anything, so a buffer of a
 * cancelled message left behind would fail this test with Arrow's leak report.
 */
class MirrorCloseTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void closingWhileConnectedLeaksNothing() throws Exception {
        String source = Names.unique("mclose");
        AtomicBoolean writing = new AtomicBoolean(true);
        try (StreamFlightServer server = StreamFlightServer.start(ServeOptions.defaults().port(0));
             SharedMemory shm = SharedMemory.create(source, DType.UINT8, 128 << 10)) {
            Thread writer = new Thread(() -> {
                byte[] frame = new byte[128 << 10];
                while (writing.get()) {
                    shm.write(frame);
                    try {
                        Thread.sleep(2);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            writer.start();
            try {
                for (int i = 0; i < 10; i++) {
                    String local = source + "-m" + i;
                    try {
                        StreamMirror mirror = StreamMirror.start(FlightSource.parse("grpc://127.0.0.1:" + server.port()
                                + "/" + source), local, MirrorOptions.defaults());
                        try {
                            FlightTesting.eventually(WAIT, "the mirror receives rows", () -> mirror.stats().frames() >= 3);
                        } finally {
                            mirror.close(); // mid-stream: a row is usually in flight; throws if anything leaked
                        }
                        assertTrue(mirror.stats().frames() >= 3);
                    } finally {
                        SharedMemory.unlink(local);
                    }
                }
            } finally {
                writing.set(false);
                writer.join();
            }
        } finally {
            SharedMemory.unlink(source);
        }
    }
}

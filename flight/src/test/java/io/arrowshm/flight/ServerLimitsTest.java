package io.arrowshm.flight;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.SharedMemory;
import io.arrowshm.tensors.IpcLimits;
import io.arrowshm.tensors.testing.TestStreams;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The server's limits on what puts may do, each set through {@link ServeOptions} and exercised by
 * pyarrow.flight clients: the frame limit, the creation budget, creation off, and a put that
 * fails after creating its stream leaving none behind.
 */
class ServerLimitsTest {
    private final TestStreams streams = new TestStreams();

    @AfterEach
    void unlink() {
        streams.unlinkAll();
    }

    private static String uri(StreamFlightServer server) {
        return "grpc://127.0.0.1:" + server.port();
    }

    @Test
    void framesOverTheLimitAreRefusedBeforeAnythingIsCreated() {
        try (StreamFlightServer server = StreamFlightServer.start(ServeOptions.defaults().port(0)
                .limits(IpcLimits.defaults().maxFrameBytes(1024)))) {
            String big = streams.name("limit-frame");
            String outcome = PyarrowFlightTest.python("put", uri(server), big, "float32", "2", "16", "32").get(0);
            assertTrue(outcome.startsWith("error") && outcome.contains("over the limit of 1024 (--max-frame-bytes)"),
                    outcome);
            assertFalse(SharedMemory.listStreams().contains(big));
            String small = streams.name("limit-frame-ok");
            assertTrue(PyarrowFlightTest.python("put", uri(server), small, "float32", "2", "16", "16").get(0)
                    .startsWith("put "));
        }
    }

    @Test
    void theCreationBudgetCountsTheStreamsThatStillExist() {
        try (StreamFlightServer server = StreamFlightServer.start(ServeOptions.defaults().port(0)
                .maxCreatedBytes(20_000))) {
            String first = streams.name("budget-1");
            assertTrue(PyarrowFlightTest.python("put", uri(server), first, "float32", "1", "64", "64").get(0)
                    .startsWith("put "), "16 KiB of 20,000 bytes");
            String second = streams.name("budget-2");
            String refused = PyarrowFlightTest.python("put", uri(server), second, "float32", "1", "64", "64").get(0);
            assertTrue(refused.startsWith("error") && refused.contains("--max-created-bytes"), refused);
            assertFalse(SharedMemory.listStreams().contains(second));
            // Into the stream it created: no creation, so no budget needed.
            assertTrue(PyarrowFlightTest.python("put", uri(server), first, "float32", "1", "64", "64").get(0)
                    .startsWith("put "));
            SharedMemory.unlink(first);
            assertTrue(PyarrowFlightTest.python("put", uri(server), second, "float32", "1", "64", "64").get(0)
                    .startsWith("put "), "an unlinked stream no longer counts");
        }
    }

    @Test
    void withCreationOffPutsGoIntoExistingStreamsOnly() {
        try (StreamFlightServer server = StreamFlightServer.start(ServeOptions.defaults().port(0)
                .createStreams(false))) {
            String missing = streams.name("no-create");
            String refused = PyarrowFlightTest.python("put", uri(server), missing, "uint8", "1", "8").get(0);
            assertTrue(refused.startsWith("error") && refused.contains("--no-create"), refused);
            assertFalse(SharedMemory.listStreams().contains(missing));
            String existing = streams.name("no-create-existing");
            PyarrowFlightTest.python("pyshmem-create", existing, "uint8", "1", "8");
            assertTrue(PyarrowFlightTest.python("put", uri(server), existing, "uint8", "2", "8").get(0).startsWith("put "));
            try (SharedMemory shm = SharedMemory.open(existing)) {
                assertEquals(3, shm.count());
            }
        }
    }

    @Test
    void aPutThatFailsAfterCreatingItsStreamLeavesNone() {
        try (StreamFlightServer server = StreamFlightServer.start(ServeOptions.defaults().port(0))) {
            String target = streams.name("put-fails");
            // The batch's header is honest, so it reaches the publisher, which creates the stream and
            // then finds a null tensor value in row 2: refused, and the new stream unlinked again.
            String refused = PyarrowFlightTest.python("put-null-values", uri(server), target).get(0);
            assertTrue(refused.startsWith("error ArrowInvalid") && refused.contains("row 2 has null tensor values"),
                    refused);
            assertFalse(SharedMemory.listStreams().contains(target), "the failed put left its stream behind");
            assertEquals(0, server.stats().framesReceived());
        }
    }
}

package io.arrowshm.flight;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.SharedMemory;
import io.arrowshm.tensors.testing.ResidentMemory;
import io.arrowshm.testing.Names;
import io.arrowshm.testing.PeerProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Defect 4 of the edge-hardening issue: clients that read one row and stall cannot take a
 * server's memory or threads. 40 pyarrow clients (one process, one connection each) against a
 * server in a JVM of its own with the default limits: {@value ServeOptions#DEFAULT_MAX_CLIENTS}
 * concurrent {@code DoGet}s, holding at most 128 MiB of frames between them (each call its
 * client's queue and two rows, the stream its snapshots). The ones over them are refused with {@code RESOURCE_EXHAUSTED} and a message naming the
 * limit, and the server's peak resident memory stays within 256 MiB of idle. Before the fix
 * every client got a thread of its own (a cached pool): 40 clients of 4 MiB frames took the
 * server from 170 to 703 MiB resident and 22 to 73 threads; others saw 1.5 GB.
 */
class DoGetAdmissionTest {
    private static final Duration PEER = Duration.ofSeconds(180);
    private static final int CLIENTS = 40;

    /** How many calls on one stream of {@code frame}-byte frames the default budget admits. */
    static long admittedOnOneStream(long frame) {
        try (BufferAllocator memory = new RootAllocator()) {
            SendBudget budget = new SendBudget(ServeOptions.DEFAULT_MAX_SEND_BYTES,
                    ServeOptions.DEFAULT_CLIENT_QUEUE_BYTES, memory);
            long admitted = 0;
            if (budget.reserveBytes(budget.callShare(frame) + budget.streamShare(frame))) {
                admitted++;
                while (budget.reserveBytes(budget.callShare(frame))) {
                    admitted++;
                }
            }
            return admitted;
        }
    }

    @ParameterizedTest(name = "40 stalled clients of {0}-element float32 frames")
    @ValueSource(ints = {16 * 1024, 1024 * 1024})
    void stalledClientsOverTheLimitAreRefusedAndTheServerHoldsItsMemory(int elements) throws Exception {
        String name = Names.unique("admission");
        int port = FlightTesting.freePort();
        try (PeerProcess server = PeerProcess.java(FlightPeer.class, "serve", Integer.toString(port))) {
            server.await("serving " + port, PEER);
            String uri = "grpc://127.0.0.1:" + port;
            // 64 KiB frames: the count limits; 4 MiB frames: what each stalled client pins limits (and shows).
            PyarrowFlightTest.python("pyshmem-create", name, "float32", "1", Integer.toString(elements));
            long frame = 4L * elements;
            long expected = Math.min(ServeOptions.DEFAULT_MAX_CLIENTS, admittedOnOneStream(frame));
            PyarrowFlightTest.python("get", uri, name, "1"); // warm: one client came and went
            long idle = ResidentMemory.of(server.pid()).rssBytes();
            int idleThreads = ResidentMemory.threads(server.pid());
            try (PeerProcess clients = PeerProcess.python("flight_peer.py", "stall-clients", uri, name,
                    Integer.toString(CLIENTS))) {
                List<String> outcomes = new ArrayList<>();
                for (String line = clients.nextLine(PEER); !line.equals("held"); line = clients.nextLine(PEER)) {
                    outcomes.add(line);
                }
                Thread.sleep(1000); // the admitted calls are all waiting on their stalled clients now
                ResidentMemory.Sample held = ResidentMemory.of(server.pid());
                int threads = ResidentMemory.threads(server.pid());
                long admitted = outcomes.stream().filter("ok"::equals).count();
                List<String> refused = outcomes.stream().filter(o -> !o.equals("ok")).toList();
                System.out.println(CLIENTS + " stalled clients of " + (frame >> 10) + " KiB frames: " + admitted + " admitted, " + refused.size()
                        + " refused (" + (refused.isEmpty() ? "" : refused.get(0)) + "); server " + held + ", idle "
                        + (idle >> 20) + " MiB; threads " + threads + ", idle " + idleThreads);
                assertEquals(CLIENTS, outcomes.size(), outcomes::toString);
                assertEquals(expected, admitted, "admitted up to the limit: " + outcomes);
                for (String refusal : refused) {
                    assertTrue(refusal.contains("resource exhausted") || refusal.contains("RESOURCE_EXHAUSTED"),
                            "refused as RESOURCE_EXHAUSTED: " + refusal);
                    assertTrue(refusal.contains(expected == ServeOptions.DEFAULT_MAX_CLIENTS ? "--max-clients"
                            : "--max-send-bytes"), "the message names the limit: " + refusal);
                }
                assertTrue(held.peakBytes() - idle < ResidentMemory.BOUND_ABOVE_IDLE,
                        "peak " + (held.peakBytes() >> 20) + " MiB, idle " + (idle >> 20) + " MiB");
                // A sender per admitted call, and gRPC's bounded callback pool (which a burst of calls fills).
                assertTrue(threads - idleThreads <= expected + 16 + ServeOptions.DEFAULT_MAX_PUTS,
                        "threads bounded by the limits, not by the clients: " + threads + " threads, idle " + idleThreads);
            }
        } finally {
            SharedMemory.unlink(name);
        }
    }
}

package io.arrowshm;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.testing.Names;
import io.arrowshm.testing.PeerProcess;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Defect 9: payloads past 1 GiB and 2 GiB (long offsets end to end). Each case runs in a child
 * JVM ({@link RegressionScenarios}): a 1.5 GiB byte[] round trip with -Xmx6g (and wrong-length
 * writes that change nothing), and a 2.5 GiB off-heap ArrowBuf written and read back with
 * readInto(ArrowBuf). Peak memory stays near 5 GiB; the child unlinks its stream.
 */
@Timeout(300)
class LargePayloadTest {
    private final String name = Names.unique("large");

    @AfterEach
    void removeStream() throws Exception {
        RegressionSupport.removeStream(name);
    }

    private void scenario(String scenario, String heap) {
        try (PeerProcess child = PeerProcess.java(PeerProcess.currentJavaHome(), List.of(heap, "-XX:+UseSerialGC"),
                RegressionScenarios.class, scenario, name)) {
            List<String> out = child.finish(Duration.ofSeconds(240));
            assertTrue(out.contains("OK"), scenario + " failed: " + out);
        }
    }

    @Test
    void aPayloadOfOneAndAHalfGibRoundTripsThroughByteArrays() {
        scenario("large-heap", "-Xmx6g");
    }

    @Test
    void aPayloadOfOneAndAHalfGibRoundTripsThroughADirectByteBuffer() {
        scenario("large-byte-buffer", "-XX:MaxDirectMemorySize=2g");
    }

    @Test
    void aPayloadOfTwoAndAHalfGibRoundTripsThroughAnOffHeapArrowBuf() {
        scenario("large-off-heap", "-Xmx1g");
    }
}

package io.arrowshm.interop.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.DType;
import io.arrowshm.SharedMemory;
import io.arrowshm.WriteView;
import io.arrowshm.interop.suite.Payloads.Kind;
import io.arrowshm.testing.PeerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * python/arrow_shm_reader.py (now a shim over the package arrow_shm's streams module), the
 * reader that needs only numpy and pyarrow: its
 * zero-copy pyarrow.Tensor and FixedShapeTensorArray hold what Java wrote, and its seqlock
 * check never hands out a frame a concurrent write tore.
 */
class ArrowReaderTest {
    private static final Duration PEER_TIMEOUT = Duration.ofSeconds(120);
    private static final long[] SHAPE = {3, 5};

    @RegisterExtension
    final TestStreams streams = new TestStreams();

    @DisplayName("the pyarrow-only reader's Tensor and FixedShapeTensorArray are zero-copy views of what Java wrote")
    @ParameterizedTest(name = "({0})")
    @EnumSource(value = DType.class, names = {"COMPLEX64", "COMPLEX128"}, mode = EnumSource.Mode.EXCLUDE)
    void readerSeesWhatJavaWrote(DType dtype) {
        String name = streams.name("arrow");
        try (SharedMemory shm = SharedMemory.create(name, dtype, SHAPE)) {
            byte[] payload = Payloads.bytes(dtype, shm.size(), Kind.SPECIAL, 0);
            Payloads.write(shm, Payloads.typed(dtype, payload));
            Reply reply = check("values", name);
            assertEquals(dtype == DType.BOOL ? "uint8" : dtype.numpyName(), reply.get("dtype"), "bool comes as its bytes");
            assertEquals("3,5", reply.get("shape"));
            assertEquals("3,5", reply.get("array_shape"));
            assertEquals(1, reply.getLong("array_length"));
            assertEquals(Payloads.sha256(payload), reply.get("sha256"), "the Tensor's bytes");
            assertEquals(Payloads.sha256(payload), reply.get("array_sha256"), "the FixedShapeTensorArray's bytes");
            assertEquals("True", reply.get("zero_copy"), "both views point into the mapped data segment");
            assertEquals("False", reply.get("pyshmem_imported"));
        }
    }

    @Test
    @DisplayName("the pyarrow-only reader refuses complex payloads, which Arrow tensors cannot hold")
    void readerRefusesComplex() {
        String name = streams.name("arrow");
        SharedMemory.create(name, DType.COMPLEX64, 2).close();
        assertEquals("TypeError", check("values", name).error());
    }

    @Test
    @DisplayName("the pyarrow-only reader raises after a failed Java write instead of returning it")
    void readerRaisesOnAFailedWrite() {
        String name = streams.name("arrow");
        try (SharedMemory shm = SharedMemory.create(name, DType.UINT8, 64)) {
            try (WriteView aborted = shm.writeView()) {
                aborted.buffer().setOne(0, 32);
            }
            assertEquals("InconsistentStreamError", check("values", name).error(), "arrow_shm's (a RuntimeError)");
        }
    }

    @Test
    @DisplayName("the pyarrow-only reader's seqlock check never returns a frame torn by a Java writer")
    void readerNeverReturnsATornFrame() throws InterruptedException {
        String name = streams.name("arrow");
        try (SharedMemory shm = SharedMemory.create(name, DType.UINT32, 256, 1024)) {
            SelfCheckingFrames frames = new SelfCheckingFrames(Math.toIntExact(shm.size() / 4));
            shm.write(frames.frame(0), 0);
            AtomicBoolean writing = new AtomicBoolean(true);
            Thread writer = new Thread(() -> {
                for (int k = 1; writing.get(); k++) {
                    shm.write(frames.frame(SelfCheckingFrames.seed(1, k & 0xFFFFFF)), k);
                }
            }, "java-frame-writer");
            writer.start();
            try {
                Reply reply = check("frames", name, "300");
                assertEquals(0, reply.getLong("mixed"), reply.line());
                assertEquals(300, reply.getLong("verified"), reply.line());
            } finally {
                writing.set(false);
                writer.join();
            }
            assertTrue(shm.count() > 1, "the writer wrote during the reads");
        }
    }

    private static Reply check(String command, String... args) {
        List<String> words = new java.util.ArrayList<>(List.of(readerPath(), command));
        words.addAll(List.of(args));
        try (PeerProcess python = PeerProcess.python("arrow_reader_check.py", words.toArray(String[]::new))) {
            List<String> lines = python.finish(PEER_TIMEOUT);
            return Reply.parse(lines.get(lines.size() - 1));
        }
    }

    private static String readerPath() {
        Path path = Path.of(System.getProperty("arrowshm.reader", "../python/arrow_shm_reader.py"));
        assertTrue(Files.isRegularFile(path), "missing " + path.toAbsolutePath());
        return path.toAbsolutePath().toString();
    }
}

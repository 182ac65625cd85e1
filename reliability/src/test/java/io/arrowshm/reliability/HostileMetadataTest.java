package io.arrowshm.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.arrowshm.CreateOptions;
import io.arrowshm.DType;
import io.arrowshm.InvalidMetadataException;
import io.arrowshm.SharedMemory;
import io.arrowshm.internal.format.Metadata;
import io.arrowshm.internal.format.MetadataLayout;
import io.arrowshm.internal.format.StreamNames;
import io.arrowshm.internal.posix.Segments;
import io.arrowshm.testing.Names;
import io.arrowshm.testing.PeerProcess;
import io.arrowshm.testing.PrivateShm;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Hostile metadata, judged against the real pyshmem 1.4.0: seeded mutations of real headers
 * (Java-created v3 with and without notify, pyshmem-created v3, legacy v2) go through Java's
 * validator and pyshmem's own {@code _validate_metadata_header}; both must accept or reject
 * each case alike, and for v3 Java's message must carry pyshmem's. A sample goes through
 * real segments and open/stat/listStreams. The seed is printed; -Dreliability.seed replays it.
 */
class HostileMetadataTest {
    private final String name = Names.unique("hostile");

    @AfterEach
    void removeStream() {
        SharedMemory.unlink(name);
    }

    @Test
    void mutatedHeadersAreJudgedExactlyAsPyshmemJudgesThem() throws Exception {
        long seed = Long.getLong("reliability.seed", System.nanoTime());
        int cases = Scale.pick(4_000, 100_000);
        HeaderMutator mutator = new HeaderMutator(seed);
        List<byte[]> bases = baseHeaders();
        List<HeaderMutator.Case> generated = new ArrayList<>();
        List<String> javaVerdicts = new ArrayList<>();
        for (int i = 0; i < cases; i++) {
            HeaderMutator.Case hostile = mutator.mutate(bases.get(i % bases.size()));
            generated.add(hostile);
            javaVerdicts.add(javaVerdict(hostile));
        }
        List<String> pythonVerdicts = pythonVerdicts(generated);
        int accepted = 0;
        int messagesCompared = 0;
        java.util.Set<String> pyshmemCrashes = new java.util.TreeSet<>();
        for (int i = 0; i < cases; i++) {
            HeaderMutator.Case hostile = generated.get(i);
            String fromJava = javaVerdicts.get(i);
            String python = pythonVerdicts.get(i);
            String where = "case " + i + " (" + hostile.kind() + ", seed " + seed + "): java [" + fromJava + "] python ["
                    + python + "] bytes " + HexFormat.of().formatHex(hostile.bytes(), 0,
                    (int) Math.min(hostile.length(), hostile.bytes().length));
            assertEquals(python.equals("ok"), fromJava.equals("ok"), where);
            accepted += fromJava.equals("ok") ? 1 : 0;
            if (python.startsWith("crash ")) {
                pyshmemCrashes.add(python); // pyshmem failed with something other than ValueError: Java rejected it
                continue;
            }
            boolean v3 = hostile.bytes().length >= 8 && java.util.Arrays.equals(hostile.bytes(), 0, 8,
                    MetadataLayout.MAGIC, 0, 8);
            if (v3 && !python.equals("ok")) {
                assertTrue(fromJava.contains(python.substring("err ".length())), where);
                messagesCompared++;
            }
        }
        System.out.printf("hostile metadata: %d cases (seed %d), %d accepted by both, %d rejected by both,"
                + " %d v3 messages identical; pyshmem failed other than by ValueError on: %s%n", cases, seed, accepted,
                cases - accepted, messagesCompared, pyshmemCrashes);
        throughRealSegments(generated.subList(0, Scale.pick(40, 400)));
    }

    /** Java's judgement of one case: "ok" or the validation message; anything else fails the test. */
    private static String javaVerdict(HeaderMutator.Case hostile) {
        byte[] visible = java.util.Arrays.copyOf(hostile.bytes(),
                (int) Math.min(hostile.length(), MetadataLayout.TOTAL_LENGTH));
        try {
            Metadata.validate("frames", visible, hostile.length());
            return "ok";
        } catch (InvalidMetadataException e) {
            return e.getMessage();
        } catch (RuntimeException e) {
            throw new AssertionError("an unexpected exception for " + hostile.kind(), e);
        }
    }

    private static List<String> pythonVerdicts(List<HeaderMutator.Case> cases) throws Exception {
        Path file = Files.createTempFile("hostile-headers", ".txt");
        try {
            List<String> lines = new ArrayList<>();
            for (HeaderMutator.Case hostile : cases) {
                int visible = (int) Math.min(hostile.length(), hostile.bytes().length);
                lines.add(hostile.length() + " " + HexFormat.of().formatHex(hostile.bytes(), 0, visible));
            }
            Files.write(file, lines);
            try (PeerProcess python = PeerProcess.python("reliability_peer.py", "validate", file.toString(), "frames")) {
                List<String> verdicts = python.finish(Duration.ofMinutes(10));
                assertEquals(cases.size(), verdicts.size());
                return verdicts;
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Real headers to start from: Java-created (plain and notify), pyshmem-created, and legacy v2. */
    private List<byte[]> baseHeaders() {
        List<byte[]> bases = new ArrayList<>();
        byte[] id = new byte[16];
        id[3] = 7;
        bases.add(Metadata.encode("frames", DType.FLOAT32, new long[] {2, 3}, 24, MetadataLayout.FLAG_CPU_MIRROR,
                -1, 1234, id));
        bases.add(Metadata.encode("frames", DType.COMPLEX128, new long[] {4, 1, 2}, 128,
                MetadataLayout.FLAG_CPU_MIRROR | MetadataLayout.FLAG_NOTIFY, -1, 99, id));
        // In a private /dev/shm: the header must name "frames" (the corpus depends on it), and
        // a stream of that name may exist on the host, e.g. the live demo's.
        try {
            List<String> out = PrivateShm.run(List.of(
                    PrivateShm.python("reliability_peer.py", "create", "frames", "uint16", "5"),
                    "od -An -v -tx1 /dev/shm/" + StreamNames.of("frames").metaSegment() + " | tr -d ' \\n'"));
            byte[] header = java.util.HexFormat.of().parseHex(out.get(out.size() - 1));
            Metadata.validate("frames", header, header.length); // a real, valid pyshmem header to mutate
            bases.add(header);
        } catch (Exception | AssertionError e) {
            throw new AssertionError("pyshmem could not create the base stream", e);
        }
        ByteBuffer v2 = ByteBuffer.allocate(512).order(ByteOrder.LITTLE_ENDIAN);
        double[] slots = {2, 3, 10, 2, 48, 0, -1, 55, 1.7e9, 6, 0, 0, 1, 2, 3};
        for (int i = 0; i < slots.length; i++) {
            v2.putDouble(8 * i, slots[i]);
        }
        v2.put(256, "frames".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        bases.add(v2.array());
        return bases;
    }

    /** A sample written into a real stream's metadata segment: open, stat and listStreams agree with the validator. */
    private void throughRealSegments(List<HeaderMutator.Case> sample) throws Exception {
        try (SharedMemory original = SharedMemory.create(name, CreateOptions.of(DType.FLOAT32, 2, 3))) {
            Path meta = Segments.path(StreamNames.of(name).metaSegment());
            byte[] valid = readSegment(StreamNames.of(name).metaSegment());
            for (HeaderMutator.Case hostile : sample) {
                byte[] bytes = retarget(hostile.bytes(), valid);
                try (FileChannel channel = FileChannel.open(meta, StandardOpenOption.WRITE)) {
                    channel.truncate(0);
                    channel.write(ByteBuffer.wrap(bytes, 0, (int) Math.min(hostile.length(), bytes.length)), 0);
                }
                boolean valid3 = isValid(bytes, hostile.length());
                try (SharedMemory opened = SharedMemory.open(name)) {
                    assertTrue(valid3, "opened an invalid stream: " + hostile.kind());
                    opened.count();
                } catch (InvalidMetadataException e) {
                    // The data segment holds 24 bytes: a valid header that declares more is refused for that.
                    boolean payloadTooSmall = e.getMessage().contains("smaller than its metadata declares");
                    assertTrue(valid3 == payloadTooSmall, hostile.kind() + ": valid " + valid3 + ", " + e.getMessage());
                }
                boolean listed = valid3 && hostile.length() >= MetadataLayout.TOTAL_LENGTH
                        && name.equals(Metadata.storedName(bytes, hostile.length()));
                assertEquals(listed, SharedMemory.listStreams().contains(name), hostile.kind());
                try {
                    SharedMemory.stat(name);
                    assertTrue(valid3, hostile.kind());
                } catch (InvalidMetadataException e) {
                    assertTrue(!valid3, hostile.kind());
                }
            }
            try (FileChannel channel = FileChannel.open(meta, StandardOpenOption.WRITE)) {
                channel.write(ByteBuffer.wrap(valid), 0); // let close() and unlink() see a sane stream
            }
        }
    }

    /** The case's bytes with the stream's real name region, so that only the mutation decides. */
    private byte[] retarget(byte[] mutated, byte[] valid) {
        byte[] bytes = mutated.clone();
        if (bytes.length >= MetadataLayout.TOTAL_LENGTH && bytes.length == valid.length
                && java.util.Arrays.equals(mutated, MetadataLayout.NAME_REGION_OFFSET, 262,
                "frames".getBytes(java.nio.charset.StandardCharsets.UTF_8), 0, 6)) {
            System.arraycopy(valid, MetadataLayout.NAME_REGION_OFFSET, bytes, MetadataLayout.NAME_REGION_OFFSET,
                    MetadataLayout.NAME_REGION_LENGTH);
            if (java.util.Arrays.equals(bytes, 0, 8, MetadataLayout.MAGIC, 0, 8)
                    && Metadata.crc(mutated) == ByteBuffer.wrap(mutated).order(ByteOrder.LITTLE_ENDIAN)
                    .getInt(MetadataLayout.HEADER_CRC_OFFSET)) {
                ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(MetadataLayout.HEADER_CRC_OFFSET,
                        Metadata.crc(bytes));
            }
        }
        return bytes;
    }

    private boolean isValid(byte[] bytes, long length) {
        try {
            Metadata.validate(name, java.util.Arrays.copyOf(bytes, (int) Math.min(length, 512)), length);
            return true;
        } catch (InvalidMetadataException e) {
            return false;
        }
    }

    private static byte[] readSegment(String segment) {
        try {
            return Files.readAllBytes(Segments.path(segment));
        } catch (java.io.IOException e) {
            fail(e);
            return null;
        }
    }
}

package io.arrowshm.interop.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.stream.Collectors;

/** Assertions on what pyshmem reported. */
final class Expect {
    private Expect() {
    }

    /** pyshmem read exactly these bytes: compared whole when the reply carries them, else by SHA-256. */
    static void payload(byte[] expected, Reply reply) {
        if (expected.length <= Payloads.SHOWN_BYTES) {
            assertEquals(HexFormat.of().formatHex(expected), reply.get("hex"), "payload bytes pyshmem read");
        }
        assertEquals(Payloads.sha256(expected), reply.get("sha256"), "SHA-256 of the payload pyshmem read");
    }

    /** A shape as pyshmem_peer.py writes it: {@code 3,7}. */
    static String shape(long... shape) {
        return Arrays.stream(shape).mapToObj(Long::toString).collect(Collectors.joining(","));
    }
}

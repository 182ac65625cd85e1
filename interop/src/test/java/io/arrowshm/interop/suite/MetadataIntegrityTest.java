package io.arrowshm.interop.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.CreateOptions;
import io.arrowshm.DType;
import io.arrowshm.InvalidMetadataException;
import io.arrowshm.SharedMemory;
import io.arrowshm.internal.format.MetadataLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The header CRC-32 (spec §2.6) as both languages compute it: one flipped bit in a covered
 * byte makes both Java and pyshmem refuse the stream, whoever created it, and a flip in a
 * mutable (excluded) field makes neither refuse it. Both also lay out the same header for the
 * same stream.
 */
class MetadataIntegrityTest {
    @RegisterExtension
    static final PyshmemSession py = new PyshmemSession();
    @RegisterExtension
    final TestStreams streams = new TestStreams();

    /**
     * One bit pattern to flip in the header. Covered bytes are ones only the CRC guards (every
     * field check still passes after the flip); the others are mutable fields the CRC leaves out.
     */
    enum HeaderFlip {
        INSTANCE_ID_BYTE(MetadataLayout.INSTANCE_ID_OFFSET + 4, 0xFF, true),
        CREATOR_PID_BIT_22(MetadataLayout.CREATOR_PID_OFFSET + 2, 0x40, true), // stays a positive pid
        NOTIFY_FLAG(MetadataLayout.FLAGS_OFFSET, MetadataLayout.FLAG_NOTIFY, true),
        NAME_PADDING_BYTE(MetadataLayout.NAME_REGION_OFFSET + 200, 0x01, true), // past the name's NUL
        FRAME_ID_BYTE(MetadataLayout.FRAME_ID_OFFSET + 1, 0xFF, false),
        COUNT_BYTE(MetadataLayout.COUNT_OFFSET + 2, 0x10, false);

        final int offset;
        final int mask;
        final boolean covered;

        HeaderFlip(int offset, int mask, boolean covered) {
            this.offset = offset;
            this.mask = mask;
            this.covered = covered;
        }

        void applyTo(String name) {
            ShmFiles.flipBits(name, offset, mask);
        }
    }

    static Stream<HeaderFlip> covered() {
        return Arrays.stream(HeaderFlip.values()).filter(flip -> flip.covered);
    }

    static Stream<HeaderFlip> excluded() {
        return Arrays.stream(HeaderFlip.values()).filter(flip -> !flip.covered);
    }

    @DisplayName("a flipped CRC-covered byte of a Java-created header: Java and pyshmem both reject it")
    @ParameterizedTest(name = "({0})")
    @MethodSource("covered")
    void bothRejectACorruptedJavaHeader(HeaderFlip flip) {
        String name = streams.name("crc-java");
        SharedMemory.create(name, DType.FLOAT32, 2, 3).close();
        flip.applyTo(name);
        assertBothReject(name);
    }

    @DisplayName("a pyshmem-created header passes Java's CRC check; the same flip makes both reject it")
    @ParameterizedTest(name = "({0})")
    @MethodSource("covered")
    void pyshmemHeaderPassesJavasCrcUntilCorrupted(HeaderFlip flip) {
        String name = streams.name("crc-py");
        py.ok("create", name, "float32", "2,3");
        SharedMemory.open(name).close();
        assertTrue(SharedMemory.listStreams().contains(name));

        flip.applyTo(name);
        assertBothReject(name);
    }

    @DisplayName("a flipped byte in a field the CRC excludes: neither language rejects the header")
    @ParameterizedTest(name = "({0})")
    @MethodSource("excluded")
    void bothIgnoreExcludedFields(HeaderFlip flip) {
        String java = streams.name("crc-mutable");
        String python = streams.name("crc-mutable");
        SharedMemory.create(java, DType.UINT8, 8).close();
        py.ok("create", python, "uint8", "8");
        for (String name : new String[] {java, python}) {
            flip.applyTo(name);
            SharedMemory.open(name).close();
            py.ok("stat", name);
        }
    }

    @DisplayName("for the same stream Java and pyshmem create the same segments, byte for byte apart from identity")
    @ParameterizedTest(name = "(notify {0})")
    @ValueSource(booleans = {false, true})
    void bothCreateTheSameSegments(boolean notify) throws IOException {
        String name = streams.name("same-header");
        SharedMemory.create(name, CreateOptions.of(DType.FLOAT16, 3, 1, 4).notify(notify)).close();
        CreatedFiles java = CreatedFiles.of(name);
        SharedMemory.unlink(name);
        if (notify) {
            py.ok("create", name, "float16", "3,1,4", "notify");
        } else {
            py.ok("create", name, "float16", "3,1,4");
        }
        CreatedFiles python = CreatedFiles.of(name);

        assertEquals(python.permissions(), java.permissions());
        assertEquals(python.dataBytes(), java.dataBytes());
        assertEquals(python.metadataHex(), java.metadataHex(), "metadata without instance_id, creator_pid and CRC");
    }

    /** What a stream's files hold, with the fields that name one creation (random id, pid, their CRC) zeroed. */
    private record CreatedFiles(String permissions, long dataBytes, String metadataHex) {
        static CreatedFiles of(String name) throws IOException {
            byte[] metadata = Files.readAllBytes(ShmFiles.metadata(name));
            Arrays.fill(metadata, MetadataLayout.CREATOR_PID_OFFSET, MetadataLayout.CREATOR_PID_OFFSET + 8, (byte) 0);
            Arrays.fill(metadata, MetadataLayout.INSTANCE_ID_OFFSET, MetadataLayout.HEADER_CRC_OFFSET + 4, (byte) 0);
            return new CreatedFiles(PosixFilePermissions.toString(Files.getPosixFilePermissions(ShmFiles.metadata(name)))
                    + " " + PosixFilePermissions.toString(Files.getPosixFilePermissions(ShmFiles.data(name))),
                    Files.size(ShmFiles.data(name)), HexFormat.of().formatHex(metadata));
        }
    }

    private static void assertBothReject(String name) {
        InvalidMetadataException java = assertThrows(InvalidMetadataException.class, () -> SharedMemory.open(name));
        assertEquals("header_crc", java.field(), java.getMessage());
        assertThrows(InvalidMetadataException.class, () -> SharedMemory.stat(name));
        assertFalse(SharedMemory.listStreams().contains(name), "Java's discovery skips it");

        assertEquals("metadata header checksum mismatch", py.fails("ValueError", "open", name));
        assertEquals("metadata header checksum mismatch", py.fails("ValueError", "stat", name));
        assertEquals("", py.ok("list-among", name).get("listed"), "pyshmem's discovery skips it");
    }
}

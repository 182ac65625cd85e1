package io.arrowshm.tensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.arrowshm.testing.PeerProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.extension.InvalidExtensionMetadataException;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The metadata validator accepts and rejects exactly what pyarrow 26 does, judged by pyarrow itself. */
class MetadataValidationTest {
    /** Hostile metadata for storage FixedSizeList(float32)[6]. */
    static final List<String> CASES = List.of(
            "{\"shape\":[2,3]}", "{\"shape\":[3,2]}", "{\"shape\":[6]}", "{\"shape\":[1,6,1]}",
            "{\"shape\":[-2,-3]}", "{\"shape\":[-1,-6]}", "{\"shape\":[0,3]}", "{\"shape\":[3,2,0]}", "{\"shape\":[0]}",
            "{\"shape\":[2.0,3]}", "{\"shape\":[2.5,3]}", "{\"shape\":[2,3e0]}", "{\"shape\":\"23\"}", "{}", "", "[]",
            "null", "\"x\"", "{\"Shape\":[2,3]}", "{\"shape\":null}", "{\"shape\":[2,3]", "{\"shape\":[2,3]} x",
            "{\"shape\":[2,\"3\"]}", "{\"shape\":[true,3]}", "{\"shape\":[]}", "{\"shape\":[-0,6]}",
            "{\"shape\":[9223372036854775807,1]}", "{\"shape\":[9223372036854775808]}",
            "{\"shape\":[18446744073709551615]}", "{\"shape\":[100000000000000000000000]}",
            "{\"shape\":[4294967296,4294967296]}", "{\"shape\":[4294967302]}",
            "{\"shape\":[2,3],\"shape\":[3,2]}", "{\"shape\":[3,2],\"shape\":[-1]}", " {\"shape\" : [ 2 , 3 ] } ",
            "{\"shape\":[2,3],\"extra\":1}", "{\"shape\":[6]}  ",
            "{\"shape\":[2,3],\"dim_names\":[\"a\"]}", "{\"shape\":[2,3],\"dim_names\":[\"a\",\"b\"]}",
            "{\"shape\":[2,3],\"dim_names\":[\"a\",1]}", "{\"shape\":[2,3],\"dim_names\":null}",
            "{\"shape\":[2,3],\"dim_names\":\"ab\"}", "{\"shape\":[2,3],\"dim_names\":[]}",
            "{\"shape\":[2,3],\"dim_names\":[\"a\",\"a\"]}", "{\"shape\":[2,3],\"dim_names\":[null,\"b\"]}",
            "{\"shape\":[6],\"dim_names\":[\"\"]}", "{\"shape\":[6],\"dim_names\":[\"\\u00e9\"]}",
            "{\"dim_names\":[\"a\",\"b\"],\"shape\":[2,3]}",
            "{\"shape\":[2,3],\"dim_names\":[\"a\",\"b\"],\"dim_names\":[\"c\"]}",
            "{\"shape\":[2,3],\"permutation\":[1,0]}", "{\"shape\":[2,3],\"permutation\":[0,0]}",
            "{\"shape\":[2,3],\"permutation\":[0,2]}", "{\"shape\":[2,3],\"permutation\":[0]}",
            "{\"shape\":[2,3],\"permutation\":[1,0,2]}", "{\"shape\":[2,3],\"permutation\":null}",
            "{\"shape\":[2,3],\"permutation\":[1.0,0]}", "{\"shape\":[2,3],\"permutation\":[-1,0]}",
            "{\"shape\":[2,3],\"permutation\":\"10\"}", "{\"shape\":[2,3],\"permutation\":[]}",
            "{\"shape\":[6],\"permutation\":[0]}", "{\"shape\":[6],\"permutation\":[-0]}",
            "{\"shape\":[6],\"permutation\":[9223372036854775807]}", "{\"shape\":[2,3],\"permutation\":[2,1]}",
            "{\"shape\":[2,3],\"permutation\":[1,0],\"permutation\":[0,0]}",
            "{\"shape\":[2,3],\"permutation\":[1,0],\"dim_names\":[\"x\",\"y\"]}",
            "{\"shape\":[2,3],/*c*/\"x\":1}", "{'shape':[2,3]}", "{\"shape\":[02,3]}", "{\"shape\":[2,3],}",
            "{\"shape\":[NaN]}", "{\"shape\":[2,3],\"permutation\":[1,0],\"dim_names\":[\"x\"]}");

    @Test
    void acceptsAndRejectsExactlyWhatPyarrowDoes(@TempDir Path dir) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<String> lines = new ArrayList<>();
        for (String metadata : CASES) {
            lines.add(json.writeValueAsString(metadata));
        }
        Path cases = Files.write(dir.resolve("cases.jsonl"), lines, StandardCharsets.UTF_8);
        List<String> mismatches = new ArrayList<>();
        try (PeerProcess pyarrow = PeerProcess.python("tensor_peer.py", "judge", cases.toString())) {
            for (String metadata : CASES) {
                String verdict = pyarrow.nextLine(java.time.Duration.ofSeconds(60));
                String java = javaVerdict(metadata);
                boolean pyOk = verdict.equals("OK");
                boolean javaOk = java.equals("OK");
                if (pyOk != javaOk) {
                    mismatches.add(metadata + " -> pyarrow: " + verdict + " / java: " + java);
                }
                if (!javaOk) {
                    assertTrue(java.startsWith("ERR arrow.fixed_shape_tensor metadata: ")
                            || java.startsWith("ERR arrow.fixed_shape_tensor: "), java);
                }
            }
            pyarrow.finish(java.time.Duration.ofSeconds(60));
        }
        assertEquals(List.of(), mismatches);
    }

    @Test
    void messagesNameTheField() {
        assertTrue(reject("{\"shape\":[2,3],\"dim_names\":[\"a\"]}").contains("dim_names"));
        assertTrue(reject("{\"shape\":[2,3],\"permutation\":[0,0]}").contains("Permutation"));
        assertTrue(reject("{\"shape\":[-2,-3]}").contains("shape"));
        assertTrue(reject("{\"shape\":[4]}").contains("FixedSizeList size (6)"));
    }

    @Test
    void serializesLikeArrowCppAndKeepsWhatItRead() {
        FixedShapeTensorType type = new FixedShapeTensorType(new long[] {2, 3}, List.of("h", "w"), new int[] {1, 0});
        assertEquals("{\"shape\":[2,3],\"permutation\":[1,0],\"dim_names\":[\"h\",\"w\"]}", type.serialize());
        assertArrayEquals(new long[] {2, 3}, type.physicalShape(), "the shape field is the stored layout");
        assertArrayEquals(new long[] {3, 2}, type.logicalShape());
        FixedShapeTensorType back = (FixedShapeTensorType) type.deserialize(new ArrowType.FixedSizeList(6),
                type.serialize());
        assertEquals(type, back);
        assertEquals(6, back.listSize());
        FixedShapeTensorType.ensureRegistered();
        try (var allocator = new org.apache.arrow.memory.RootAllocator();
             var vector = (FixedShapeTensorVector) type.field("t", new ArrowType.Int(8, false)).createVector(allocator)) {
            assertEquals(type, vector.getField().getType());
            assertEquals(new ArrowType.Int(8, false), vector.values().getField().getType());
        }
        FixedShapeTensorType plain = new FixedShapeTensorType(new long[] {6}, null, null);
        assertNull(plain.permutation());
        assertNull(plain.dimNames());
        assertThrows(InvalidExtensionMetadataException.class,
                () -> new FixedShapeTensorType(new long[] {2, 3}, List.of("x"), null));
        assertThrows(InvalidExtensionMetadataException.class,
                () -> plain.deserialize(new ArrowType.Int(32, true), "{\"shape\":[6]}"));
    }

    private static String reject(String metadata) {
        return assertThrows(InvalidExtensionMetadataException.class, () -> deserialize(metadata)).getMessage();
    }

    private static String javaVerdict(String metadata) {
        try {
            deserialize(metadata);
            return "OK";
        } catch (InvalidExtensionMetadataException e) {
            return "ERR " + e.getMessage();
        }
    }

    private static void deserialize(String metadata) {
        new FixedShapeTensorType(new long[] {6}, null, null).deserialize(new ArrowType.FixedSizeList(6), metadata);
    }
}

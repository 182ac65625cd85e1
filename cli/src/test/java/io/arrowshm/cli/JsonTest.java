package io.arrowshm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void writesNestedValuesInKeyOrder() {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("name", "a \"b\"\\\n\u0001");
        value.put("shape", new long[] {2, 3});
        value.put("time", 1795571687.147986);
        value.put("nan", Double.NaN);
        value.put("none", Optional.empty());
        value.put("list", Arrays.asList(true, null, 7L));
        assertEquals("{\"name\":\"a \\\"b\\\"\\\\\\n\\u0001\",\"shape\":[2,3],\"time\":1795571687.147986,"
                + "\"nan\":null,\"none\":null,\"list\":[true,null,7]}", Json.write(value));
        assertEquals("[1.0E-7,0.5,0.0]", Json.write(List.of(1e-7, 0.5, 0.0)));
    }
}

package io.arrowshm.interop.suite;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One answer line of pyshmem_peer.py: {@code ok key=value ...} or {@code err ExceptionType message}.
 *
 * @param error the Python exception's class name, or null for a success
 */
record Reply(String line, Map<String, String> facts, String error, String message) {

    static Reply parse(String line) {
        String[] words = line.split(" ", 3);
        if (words[0].equals("err")) {
            return new Reply(line, Map.of(), words[1], words.length > 2 ? words[2] : "");
        }
        if (!words[0].equals("ok")) {
            throw new IllegalArgumentException("not a peer reply: " + line);
        }
        Map<String, String> facts = new LinkedHashMap<>();
        for (String word : line.substring(2).trim().split(" ")) {
            int equals = word.indexOf('=');
            if (equals > 0) {
                facts.put(word.substring(0, equals), word.substring(equals + 1));
            }
        }
        return new Reply(line, facts, null, null);
    }

    boolean ok() {
        return error == null;
    }

    String get(String key) {
        String value = facts.get(key);
        assertNotNull(value, "no " + key + " in the peer's reply: " + line);
        return value;
    }

    long getLong(String key) {
        return Long.parseLong(get(key));
    }

    /** A u64 as Java holds it: the same 64 bits, negative from 2^63 up. */
    long getUnsigned(String key) {
        return Long.parseUnsignedLong(get(key));
    }

    double getDouble(String key) {
        return Double.parseDouble(get(key));
    }
}

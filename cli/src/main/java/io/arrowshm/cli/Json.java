package io.arrowshm.cli;

import java.math.BigDecimal;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A small JSON writer for {@code --json} output: maps (in their own key order), lists, long
 * arrays, strings, numbers, booleans and null. Non-finite doubles become null, since JSON has
 * no NaN or infinity.
 *
 * <pre>{@code
 * Json.write(Map.of("name", "frames", "shape", new long[] {2, 3}));   // {"name":"frames","shape":[2,3]}
 * }</pre>
 */
public final class Json {
    private Json() {
    }

    public static String write(Object value) {
        StringBuilder out = new StringBuilder();
        append(out, value);
        return out.toString();
    }

    private static void append(StringBuilder out, Object value) {
        if (value instanceof Optional) {
            append(out, ((Optional<?>) value).orElse(null));
        } else if (value == null) {
            out.append("null");
        } else if (value instanceof String) {
            string(out, (String) value);
        } else if (value instanceof Double || value instanceof Float) {
            out.append(number(((Number) value).doubleValue()));
        } else if (value instanceof Number || value instanceof Boolean) {
            out.append(value);
        } else if (value instanceof long[]) {
            out.append('[');
            long[] array = (long[]) value;
            for (int i = 0; i < array.length; i++) {
                out.append(i > 0 ? "," : "").append(array[i]);
            }
            out.append(']');
        } else if (value instanceof List) {
            out.append('[');
            for (Iterator<?> it = ((List<?>) value).iterator(); it.hasNext();) {
                append(out, it.next());
                out.append(it.hasNext() ? "," : "");
            }
            out.append(']');
        } else if (value instanceof Map) {
            out.append('{');
            for (Iterator<? extends Map.Entry<?, ?>> it = ((Map<?, ?>) value).entrySet().iterator(); it.hasNext();) {
                Map.Entry<?, ?> entry = it.next();
                string(out, String.valueOf(entry.getKey()));
                out.append(':');
                append(out, entry.getValue());
                out.append(it.hasNext() ? "," : "");
            }
            out.append('}');
        } else {
            throw new IllegalArgumentException("no JSON form for " + value.getClass().getName());
        }
    }

    /** Shortest round-trip digits, positional where that stays short (epoch seconds read as such). */
    private static String number(double d) {
        if (!Double.isFinite(d)) {
            return "null";
        }
        double magnitude = Math.abs(d);
        if (magnitude != 0 && (magnitude < 1e-6 || magnitude >= 1e16)) {
            return Double.toString(d);
        }
        return new BigDecimal(Double.toString(d)).toPlainString();
    }

    private static void string(StringBuilder out, String text) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"': out.append("\\\""); break;
                case '\\': out.append("\\\\"); break;
                case '\n': out.append("\\n"); break;
                case '\r': out.append("\\r"); break;
                case '\t': out.append("\\t"); break;
                default:
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
            }
        }
        out.append('"');
    }
}

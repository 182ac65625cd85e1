package io.arrowshm.tensors;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.vector.extension.InvalidExtensionMetadataException;

/**
 * Parses and validates {@code arrow.fixed_shape_tensor} metadata the way Arrow C++ (and so
 * pyarrow 26) does, case by case: what pyarrow rejects is rejected here, with pyarrow's wording
 * prefixed by the field it is about. Two details that a plain {@code readTree} would get wrong:
 * a repeated key keeps its first value (simdjson's on-demand lookup finds the first), and
 * {@code 2.0} is not an integer.
 */
final class TensorMetadataJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonFactory FACTORY = MAPPER.getFactory();
    private static final long MAX_LIST_SIZE = Integer.MAX_VALUE;

    /** The validated content: shape, and dimNames / permutation when present (else null). */
    record Parsed(long[] shape, List<String> dimNames, int[] permutation) {
    }

    private TensorMetadataJson() {
    }

    static Parsed parse(String json, int listSize) {
        ObjectNode object = firstWinsObject(json);
        long[] shape = integers(object.get("shape"), "shape", true);
        if (shape == null) {
            throw invalid("Invalid serialized JSON data: the field 'shape' is missing");
        }
        for (long dim : shape) {
            if (dim < 0) {
                throw invalid("shape must have non-negative values, got " + dim);
            }
        }
        long product = 1;
        for (long dim : shape) {
            try {
                product = Math.multiplyExact(product, dim);
            } catch (ArithmeticException e) {
                throw invalid("Product of tensor shape dimensions would not fit in 64-bit integer");
            }
        }
        if (product > MAX_LIST_SIZE) {
            throw invalid("Product of shape dimensions (" + product + ") exceeds maximum FixedSizeList size ("
                    + MAX_LIST_SIZE + ")");
        }
        if (product != listSize) {
            throw invalid("Product of shape dimensions (" + product + ") does not match FixedSizeList size ("
                    + listSize + ")");
        }
        int[] permutation = null;
        if (object.has("permutation")) {
            long[] values = integers(object.get("permutation"), "permutation", false);
            if (values.length != shape.length) {
                throw invalid("Invalid permutation");
            }
            permutation = new int[values.length];
            boolean[] seen = new boolean[values.length];
            for (int i = 0; i < values.length; i++) {
                long p = values[i];
                if (p < 0 || p >= values.length || seen[(int) p]) {
                    throw invalid("Permutation indices for " + values.length + " dimensional tensors must be unique"
                            + " and within [0, " + (values.length - 1) + "] range. Got: " + join(values));
                }
                seen[(int) p] = true;
                permutation[i] = (int) p;
            }
        }
        List<String> dimNames = null;
        if (object.has("dim_names")) {
            JsonNode names = object.get("dim_names");
            if (!names.isArray()) {
                throw invalid("dim_names must be an array, got " + kind(names));
            }
            dimNames = new ArrayList<>();
            for (JsonNode name : names) {
                if (!name.isTextual()) {
                    throw invalid("dim_names must contain strings, got " + kind(name));
                }
                dimNames.add(name.asText());
            }
            if (dimNames.size() != shape.length) {
                throw invalid("Invalid dim_names");
            }
        }
        return new Parsed(shape, dimNames == null ? null : List.copyOf(dimNames), permutation);
    }

    /** The metadata JSON as Arrow C++ writes it: shape, then permutation and dim_names when present. */
    static String write(long[] shape, List<String> dimNames, int[] permutation) {
        ObjectNode object = MAPPER.createObjectNode();
        ArrayNode shapeArray = object.putArray("shape");
        Arrays.stream(shape).forEach(shapeArray::add);
        if (permutation != null) {
            ArrayNode array = object.putArray("permutation");
            Arrays.stream(permutation).forEach(array::add);
        }
        if (dimNames != null) {
            ArrayNode array = object.putArray("dim_names");
            dimNames.forEach(array::add);
        }
        return object.toString();
    }

    /** A top-level object whose repeated keys keep their first value; anything else is an error. */
    private static ObjectNode firstWinsObject(String json) {
        try (JsonParser parser = FACTORY.createParser(json)) {
            JsonToken token = parser.nextToken();
            if (token != JsonToken.START_OBJECT) {
                throw invalid("Invalid serialized JSON data: the metadata must be a JSON object, got "
                        + (token == null ? "nothing" : "'" + json.strip() + "'"));
            }
            ObjectNode object = MAPPER.createObjectNode();
            while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
                String key = parser.currentName();
                parser.nextToken();
                JsonNode value = MAPPER.readTree(parser);
                if (!object.has(key)) {
                    object.set(key, value);
                }
            }
            if (parser.nextToken() != null) {
                throw invalid("Invalid serialized JSON data: trailing characters after the object");
            }
            return object;
        } catch (JsonProcessingException e) {
            throw invalid("Invalid serialized JSON data: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw invalid("Invalid serialized JSON data: " + e.getMessage());
        }
    }

    /** An array of int64 values, or null when absent and {@code optionalMissing}. */
    private static long[] integers(JsonNode node, String field, boolean optionalMissing) {
        if (node == null) {
            return null;
        }
        if (!node.isArray()) {
            throw invalid(field + " must be an array, got " + kind(node));
        }
        long[] values = new long[node.size()];
        for (int i = 0; i < values.length; i++) {
            JsonNode item = node.get(i);
            if (item.isBigInteger() && item.bigIntegerValue().bitLength() > 64) {
                throw invalid("Invalid serialized JSON data: Big integer value that cannot be represented using 64 bits");
            }
            if (!item.isIntegralNumber() || !item.canConvertToLong()) {
                throw invalid(field + " must contain integers, got " + kind(item));
            }
            values[i] = item.longValue();
        }
        return values;
    }

    /** simdjson's name for a JSON value's kind, as Arrow C++ puts it in its messages. */
    private static String kind(JsonNode node) {
        if (node.isArray()) {
            return "array";
        }
        if (node.isObject()) {
            return "object";
        }
        if (node.isTextual()) {
            return "string";
        }
        if (node.isBoolean()) {
            return "boolean";
        }
        if (node.isNull()) {
            return "null";
        }
        return "number";
    }

    private static String join(long[] values) {
        StringBuilder text = new StringBuilder("[");
        for (int i = 0; i < values.length; i++) {
            text.append(i == 0 ? "" : ",").append(values[i]);
        }
        return text.append(']').toString();
    }

    private static InvalidExtensionMetadataException invalid(String message) {
        return new InvalidExtensionMetadataException(FixedShapeTensorType.EXTENSION_NAME + " metadata: " + message);
    }
}

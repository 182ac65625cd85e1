package io.arrowshm.tensors;

import io.arrowshm.DType;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The schema of a recording: one row per publication, {@code tensor}
 * ({@code arrow.fixed_shape_tensor}), {@code count}, {@code frame_id} (uint64),
 * {@code write_time} (timestamp[ns, UTC]) and {@code missed} (uint64, publications the
 * recorder skipped before this one), and schema metadata naming the stream, its dtype and shape.
 *
 * <pre>{@code
 * Schema schema = RecordingSchema.of("frames", DType.FLOAT32, 480, 640);
 * schema.getCustomMetadata().get(RecordingSchema.META_DTYPE);   // "float32"
 * }</pre>
 */
public final class RecordingSchema {
    public static final String TENSOR = "tensor";
    public static final String COUNT = "count";
    public static final String FRAME_ID = "frame_id";
    public static final String WRITE_TIME = "write_time";
    public static final String MISSED = "missed";
    /** Schema metadata: the recorded stream's name. */
    public static final String META_STREAM = "arrow_shm.stream";
    /** Schema metadata: the stream's NumPy dtype name (e.g. "complex64", which the tensor column alone cannot say). */
    public static final String META_DTYPE = "arrow_shm.dtype";
    /** Schema metadata: the stream's shape as a JSON array. */
    public static final String META_SHAPE = "arrow_shm.shape";

    private static final ArrowType U64 = new ArrowType.Int(64, false);

    private RecordingSchema() {
    }

    /** The recording schema for a stream. */
    public static Schema of(String stream, DType dtype, long... shape) {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put(META_STREAM, stream);
        metadata.put(META_DTYPE, dtype.numpyName());
        metadata.put(META_SHAPE, Arrays.stream(shape).mapToObj(Long::toString).collect(Collectors.joining(",", "[", "]")));
        return new Schema(List.of(tensorField(dtype, shape),
                Field.notNullable(COUNT, U64),
                Field.notNullable(FRAME_ID, U64),
                Field.notNullable(WRITE_TIME, new ArrowType.Timestamp(TimeUnit.NANOSECOND, "UTC")),
                Field.notNullable(MISSED, U64)), metadata);
    }

    /** The {@code tensor} field alone: the stream's rows as {@code arrow.fixed_shape_tensor}. */
    public static Field tensorField(DType dtype, long... shape) {
        FixedShapeTensorType.ensureRegistered();
        FixedShapeTensorType type = new FixedShapeTensorType(ArrowTensorTypes.tensorShape(dtype, shape), null, null);
        return type.field(TENSOR, ArrowTensorTypes.valueType(dtype), false);
    }

    static Schema tensorOnly(DType dtype, long... shape) {
        return new Schema(List.of(tensorField(dtype, shape)));
    }

    static FieldType notNull(ArrowType type) {
        return FieldType.notNullable(type);
    }
}

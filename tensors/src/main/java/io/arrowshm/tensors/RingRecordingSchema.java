package io.arrowshm.tensors;

import io.arrowshm.DType;
import io.arrowshm.Overflow;
import io.arrowshm.Ring;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The schema of a ring's recording: the {@link RecordingSchema}'s columns with {@code position}
 * (uint64, the ring position of the row's frame) after {@code tensor}, so {@code tensor},
 * {@code position}, {@code count} (position + 1: frames the ring had received with this one),
 * {@code frame_id}, {@code write_time} and {@code missed} (positions before this one the recording
 * does not hold: 0 under {@link Overflow#BLOCK}). The schema metadata adds the ring's capacity and
 * overflow policy, so a replay can make the same ring again.
 *
 * <pre>{@code
 * Schema schema = RingRecordingSchema.of(ring);
 * RingRecordingSchema.capacity(schema);   // Optional[64]
 * }</pre>
 */
public final class RingRecordingSchema {
    /** The column of ring positions (uint64). */
    public static final String POSITION = RingRoots.POSITION;
    /** Schema metadata: {@code "ring"} for a ring's recording or feed. */
    public static final String META_KIND = "arrow_shm.kind";
    /** Schema metadata: the ring's number of slots, decimal. */
    public static final String META_CAPACITY = "arrow_shm.ring.capacity";
    /** Schema metadata: the ring's overflow policy, {@code block} or {@code overwrite}. */
    public static final String META_OVERFLOW = "arrow_shm.ring.overflow";
    /** Schema metadata of a ring's Flight feed: the ring's instance id (32 hex digits), its generation. */
    public static final String META_INSTANCE = "arrow_shm.ring.instance";
    /** The value of {@link #META_KIND} for a ring. */
    public static final String KIND_RING = "ring";

    private static final ArrowType U64 = new ArrowType.Int(64, false);

    private RingRecordingSchema() {
    }

    /** The recording schema of {@code ring}. */
    public static Schema of(Ring ring) {
        Schema recording = RecordingSchema.of(ring.name(), ring.dtype(), ring.shape());
        return new Schema(List.of(recording.findField(RecordingSchema.TENSOR), Field.notNullable(POSITION, U64),
                recording.findField(RecordingSchema.COUNT), recording.findField(RecordingSchema.FRAME_ID),
                recording.findField(RecordingSchema.WRITE_TIME), recording.findField(RecordingSchema.MISSED)),
                metadata(ring));
    }

    /** The recording's schema metadata for {@code ring}: stream name, dtype, shape, kind, capacity, overflow. */
    public static Map<String, String> metadata(Ring ring) {
        return metadata(ring.name(), ring.dtype(), ring.shape(), ring.capacity(), ring.overflow());
    }

    /** {@link #metadata(Ring)} from the facts alone. */
    public static Map<String, String> metadata(String name, DType dtype, long[] shape, long capacity, Overflow overflow) {
        Map<String, String> metadata = new LinkedHashMap<>(RecordingSchema.of(name, dtype, shape).getCustomMetadata());
        metadata.put(META_KIND, KIND_RING);
        metadata.put(META_CAPACITY, Long.toString(capacity));
        metadata.put(META_OVERFLOW, overflow.name().toLowerCase(Locale.ROOT));
        return metadata;
    }

    /** Whether {@code schema}'s metadata says it holds a ring's frames. */
    public static boolean isRing(Schema schema) {
        Map<String, String> metadata = schema.getCustomMetadata();
        return metadata != null && KIND_RING.equals(metadata.get(META_KIND));
    }

    /**
     * The ring capacity in {@code schema}'s metadata, when it has a valid one.
     *
     * @throws IllegalArgumentException when the metadata holds something that is not a capacity
     */
    public static Optional<Long> capacity(Schema schema) {
        String text = schema.getCustomMetadata() == null ? null : schema.getCustomMetadata().get(META_CAPACITY);
        if (text == null) {
            return Optional.empty();
        }
        try {
            long capacity = Long.parseLong(text);
            if (capacity < 1) {
                throw new NumberFormatException();
            }
            return Optional.of(capacity);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(META_CAPACITY + " must be a positive integer, got '" + text + "'");
        }
    }

    /**
     * The overflow policy in {@code schema}'s metadata, when it has one.
     *
     * @throws IllegalArgumentException when it is neither {@code block} nor {@code overwrite}
     */
    public static Optional<Overflow> overflow(Schema schema) {
        String text = schema.getCustomMetadata() == null ? null : schema.getCustomMetadata().get(META_OVERFLOW);
        if (text == null) {
            return Optional.empty();
        }
        switch (text) {
            case "block": return Optional.of(Overflow.BLOCK);
            case "overwrite": return Optional.of(Overflow.OVERWRITE);
            default: throw new IllegalArgumentException(META_OVERFLOW + " must be block or overwrite, got '" + text + "'");
        }
    }
}

package io.arrowshm.tensors;

import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.extension.InvalidExtensionMetadataException;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.ExtensionTypeRegistry;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;

/**
 * The canonical extension type {@code arrow.fixed_shape_tensor} for Arrow Java: every row is a
 * tensor of one {@link #shape() shape}, stored as {@code FixedSizeList<value_type>[prod(shape)]}
 * in row-major order of that shape (the spec's physical shape; with a {@code permutation} the
 * logical shape is {@code shape[permutation[i]]}, see {@link #logicalShape()}), with the shape and the optional {@code dim_names} and {@code permutation}
 * in the extension metadata (JSON). It is what pyarrow's {@code pa.fixed_shape_tensor}, Arrow
 * C++ and arrow-rs write, so files carry tensors between all of them.
 *
 * <p>As with Arrow Java's {@code FixedSizeList}, the value type is not part of the
 * {@code ArrowType}: it is the list's child field. {@link #field} builds the whole field.
 * Metadata is validated as Arrow C++ validates it (the product of the shape equals the list
 * size, {@code dim_names} has one name per dimension, {@code permutation} is a permutation);
 * a violation is an {@link InvalidExtensionMetadataException} naming the field.
 *
 * <pre>{@code
 * FixedShapeTensorType.ensureRegistered();                  // readers then see the type in files
 * FixedShapeTensorType type = new FixedShapeTensorType(new long[] {2, 3}, null, null);
 * Field field = type.field("tensor", new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE));
 * try (BufferAllocator allocator = new RootAllocator();
 *      FixedShapeTensorVector vector = (FixedShapeTensorVector) field.createVector(allocator)) {
 *     System.out.println(vector.getField());   // tensor: Extension<FixedSizeList(6)> ...
 * }
 * }</pre>
 */
public final class FixedShapeTensorType extends ArrowType.ExtensionType {
    /** The canonical extension name. */
    public static final String EXTENSION_NAME = "arrow.fixed_shape_tensor";

    private static final AtomicBoolean REGISTERED = new AtomicBoolean();

    private final long[] shape;
    private final java.util.List<String> dimNames;
    private final int[] permutation;
    private final int listSize;

    /**
     * A tensor type of the given logical shape.
     *
     * @param shape the shape as stored, row-major (non-negative dimensions; their product is the list size)
     * @param dimNames one name per dimension, or null
     * @param permutation the physical order of the dimensions (a permutation of 0..rank-1), or null
     * @throws InvalidExtensionMetadataException for anything Arrow C++ would reject
     */
    public FixedShapeTensorType(long[] shape, java.util.List<String> dimNames, int[] permutation) {
        Objects.requireNonNull(shape, "shape");
        long product = 1;
        for (long dim : shape) {
            product *= Math.max(dim, 0);
        }
        // Round-trip through the one validator, so the constructor and files agree on what is valid.
        TensorMetadataJson.Parsed parsed = TensorMetadataJson.parse(
                TensorMetadataJson.write(shape, dimNames, permutation), (int) Math.min(product, Integer.MAX_VALUE));
        this.shape = parsed.shape();
        this.dimNames = parsed.dimNames();
        this.permutation = parsed.permutation();
        this.listSize = Math.toIntExact(product);
    }

    /** Registers the type with {@link ExtensionTypeRegistry} (once; later calls do nothing). */
    public static void ensureRegistered() {
        if (!REGISTERED.getAndSet(true)) {
            ExtensionTypeRegistry.register(new FixedShapeTensorType(new long[0], null, null));
        }
    }

    /** The {@code shape} field: the shape as stored, row-major (a copy). */
    public long[] shape() {
        return shape.clone();
    }

    /** The rank (number of dimensions). */
    public int rank() {
        return shape.length;
    }

    /** Elements per row: the product of the shape, the storage list size. */
    public int listSize() {
        return listSize;
    }

    /** The dimension names, or null when the metadata has none. */
    public java.util.List<String> dimNames() {
        return dimNames;
    }

    /** The permutation (a copy), or null when the metadata has none (the identity). */
    public int[] permutation() {
        return permutation == null ? null : permutation.clone();
    }

    /**
     * The shape of the data as laid out in memory: the C-order shape of one row's values, which
     * is the {@code shape} field (the spec's physical shape).
     */
    public long[] physicalShape() {
        return shape.clone();
    }

    /**
     * The logical shape, {@code shape[permutation[i]]} (what NumPy's {@code to_numpy_ndarray()}
     * shows, as a strided view); equal to {@link #shape()} without a permutation.
     */
    public long[] logicalShape() {
        if (permutation == null) {
            return shape.clone();
        }
        long[] logical = new long[shape.length];
        for (int i = 0; i < shape.length; i++) {
            logical[i] = shape[permutation[i]];
        }
        return logical;
    }

    /** A nullable field of this type whose list items have {@code valueType}. */
    public Field field(String name, ArrowType valueType) {
        return field(name, valueType, true);
    }

    /** A field of this type whose list items have {@code valueType}. */
    public Field field(String name, ArrowType valueType, boolean nullable) {
        Field item = new Field("item", FieldType.nullable(valueType), null);
        return new Field(name, new FieldType(nullable, this, null, (java.util.Map<String, String>) null), java.util.List.of(item));
    }

    @Override
    public ArrowType storageType() {
        return new ArrowType.FixedSizeList(listSize);
    }

    @Override
    public String extensionName() {
        return EXTENSION_NAME;
    }

    @Override
    public boolean extensionEquals(ExtensionType other) {
        if (!(other instanceof FixedShapeTensorType)) {
            return false;
        }
        FixedShapeTensorType that = (FixedShapeTensorType) other;
        return Arrays.equals(shape, that.shape) && Objects.equals(dimNames, that.dimNames)
                && Arrays.equals(permutation, that.permutation);
    }

    @Override
    public String serialize() {
        return TensorMetadataJson.write(shape, dimNames, permutation);
    }

    @Override
    public ArrowType deserialize(ArrowType storageType, String serializedData) {
        if (!(storageType instanceof ArrowType.FixedSizeList)) {
            throw new InvalidExtensionMetadataException(EXTENSION_NAME + ": Expected FixedSizeList storage type, got "
                    + storageType);
        }
        int size = ((ArrowType.FixedSizeList) storageType).getListSize();
        TensorMetadataJson.Parsed parsed = TensorMetadataJson.parse(serializedData, size);
        return new FixedShapeTensorType(parsed.shape(), parsed.dimNames(), parsed.permutation());
    }

    @Override
    public FieldVector getNewVector(String name, FieldType fieldType, BufferAllocator allocator) {
        return new FixedShapeTensorVector(name, fieldType, allocator, new FixedSizeListVector(name, allocator,
                new FieldType(fieldType.isNullable(), storageType(), fieldType.getDictionary(), fieldType.getMetadata()),
                null));
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), Arrays.hashCode(shape), dimNames, Arrays.hashCode(permutation));
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof FixedShapeTensorType && extensionEquals((FixedShapeTensorType) obj);
    }

    @Override
    public String toString() {
        return "FixedShapeTensorType" + Arrays.toString(shape)
                + (dimNames == null ? "" : " dim_names=" + dimNames)
                + (permutation == null ? "" : " permutation=" + Arrays.toString(permutation));
    }
}

package io.arrowshm.tensors;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.util.hash.ArrowBufHasher;
import org.apache.arrow.vector.ExtensionTypeVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;

/**
 * A vector of {@link FixedShapeTensorType} rows over its {@code FixedSizeList} storage: row
 * {@code i}'s elements are {@code values()} elements {@code [i * listSize, (i + 1) * listSize)}
 * in the physical (C) order of {@link FixedShapeTensorType#physicalShape()}.
 *
 * <pre>{@code
 * FixedShapeTensorVector tensors = (FixedShapeTensorVector) root.getVector("tensor");
 * FieldVector values = tensors.values();              // e.g. a Float4Vector
 * long rowBytes = tensors.rowBytes();                  // bytes per row (bit-packed for bool)
 * }</pre>
 */
public final class FixedShapeTensorVector extends ExtensionTypeVector<FixedSizeListVector> {
    private final FieldType fieldType;

    FixedShapeTensorVector(String name, FieldType fieldType, BufferAllocator allocator, FixedSizeListVector storage) {
        super(name, allocator, storage);
        this.fieldType = fieldType;
    }

    /** The extension type of this vector. */
    public FixedShapeTensorType type() {
        return (FixedShapeTensorType) fieldType.getType();
    }

    /** The flat vector of all rows' elements (the list's child). */
    public FieldVector values() {
        return getUnderlyingVector().getDataVector();
    }

    /** Bytes of one row in {@code values()}'s data buffer (fixed-width value types only, not bool). */
    public long rowBytes() {
        return (long) type().listSize() * ArrowTensorTypes.byteWidth(values().getField().getType());
    }

    @Override
    public Field getField() {
        // The storage vector's field would name FixedSizeList: keep the extension type, with the storage's child.
        return new Field(getName(), fieldType, getUnderlyingVector().getField().getChildren());
    }

    /** Row {@code index} as a flat {@code java.util.List} of its elements (null for a null row). */
    @Override
    public Object getObject(int index) {
        return getUnderlyingVector().getObject(index);
    }

    @Override
    public int hashCode(int index) {
        return hashCode(index, null);
    }

    @Override
    public int hashCode(int index, ArrowBufHasher hasher) {
        return getUnderlyingVector().hashCode(index, hasher);
    }
}

package io.arrowshm.nd4j;

import org.bytedeco.javacpp.BooleanPointer;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.ShortPointer;
import org.bytedeco.javacpp.indexer.BooleanIndexer;
import org.bytedeco.javacpp.indexer.ByteIndexer;
import org.bytedeco.javacpp.indexer.DoubleIndexer;
import org.bytedeco.javacpp.indexer.FloatIndexer;
import org.bytedeco.javacpp.indexer.HalfIndexer;
import org.bytedeco.javacpp.indexer.Indexer;
import org.bytedeco.javacpp.indexer.IntIndexer;
import org.bytedeco.javacpp.indexer.LongIndexer;
import org.bytedeco.javacpp.indexer.ShortIndexer;
import org.bytedeco.javacpp.indexer.UByteIndexer;
import org.bytedeco.javacpp.indexer.UIntIndexer;
import org.bytedeco.javacpp.indexer.UShortIndexer;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ND4J data buffers over memory ND4J does not own. The buffer gets a JavaCPP pointer at the
 * address with no deallocator, so ND4J's own clean-up (it deletes only its native
 * descriptor of an "externalized" buffer) never frees or unmaps the memory; the caller
 * keeps the memory alive for as long as the buffer is reachable.
 */
final class MappedDataBuffers {
    private MappedDataBuffers() {
    }

    /**
     * A buffer of {@code elements} values of {@code type} at {@code address}. The pointer and
     * indexer classes are the ones ND4J's buffers cast to for that type (a different one
     * fails at the first element access).
     */
    static DataBuffer wrap(long address, DataType type, long elements) {
        AddressPointer at = new AddressPointer(address, elements);
        Pointer typed;
        Indexer indexer;
        switch (type) {
            case DOUBLE: {
                DoublePointer p = new DoublePointer(at);
                typed = p;
                indexer = DoubleIndexer.create(p);
                break;
            }
            case FLOAT: {
                FloatPointer p = new FloatPointer(at);
                typed = p;
                indexer = FloatIndexer.create(p);
                break;
            }
            case HALF: {
                ShortPointer p = new ShortPointer(at);
                typed = p;
                indexer = HalfIndexer.create(p);
                break;
            }
            case LONG:
            case UINT64: {
                LongPointer p = new LongPointer(at);
                typed = p;
                indexer = LongIndexer.create(p);
                break;
            }
            case INT: {
                IntPointer p = new IntPointer(at);
                typed = p;
                indexer = IntIndexer.create(p);
                break;
            }
            case UINT32: {
                IntPointer p = new IntPointer(at);
                typed = p;
                indexer = UIntIndexer.create(p);
                break;
            }
            case SHORT: {
                ShortPointer p = new ShortPointer(at);
                typed = p;
                indexer = ShortIndexer.create(p);
                break;
            }
            case UINT16: {
                ShortPointer p = new ShortPointer(at);
                typed = p;
                indexer = UShortIndexer.create(p);
                break;
            }
            case BYTE: {
                BytePointer p = new BytePointer(at);
                typed = p;
                indexer = ByteIndexer.create(p);
                break;
            }
            case UBYTE: {
                BytePointer p = new BytePointer(at);
                typed = p;
                indexer = UByteIndexer.create(p);
                break;
            }
            case BOOL: {
                BooleanPointer p = new BooleanPointer(at);
                typed = p;
                indexer = BooleanIndexer.create(p);
                break;
            }
            default:
                throw new IllegalArgumentException("no mapped buffer for ND4J type " + type);
        }
        return Nd4j.createBuffer(typed, type, elements, indexer);
    }

    /**
     * A bare pointer at an address, counted in elements of the typed pointer made from it
     * (JavaCPP's copy constructors take address, limit and capacity as they are).
     */
    private static final class AddressPointer extends Pointer {
        AddressPointer(long address, long elements) {
            this.address = address;
            this.position = 0;
            this.limit = elements;
            this.capacity = elements;
        }
    }
}

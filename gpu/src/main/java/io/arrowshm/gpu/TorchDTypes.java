package io.arrowshm.gpu;

import io.arrowshm.DType;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code torch.<name>} globals a CUDA handle payload may name as its dtype (spec §6.3:
 * "any torch attribute that is a torch.dtype"). Without torch we cannot ask torch, so the
 * names are a fixed list: the dtypes of torch 2.x and their aliases. Sub-byte and
 * bit-packed experimental dtypes are left out and refused like any unknown global; none of
 * them can match a pyshmem stream anyway, which holds only the 14 {@link DType}s.
 */
final class TorchDTypes {
    private TorchDTypes() {
    }

    /** A torch dtype: its canonical name, bytes per element, and pyshmem's dtype when there is one. */
    record Info(String canonicalName, int itemSize, Optional<DType> dtype) {
    }

    private static final Map<String, Info> BY_NAME = new HashMap<>();

    static {
        // pyshmem's table maps numpy name -> torch attribute of the same name (its _torch_dtype_map).
        for (DType dtype : DType.values()) {
            add(dtype.numpyName(), dtype.itemSize(), dtype);
        }
        add("bfloat16", 2, null);
        add("complex32", 4, null);
        add("quint8", 1, null);
        add("qint8", 1, null);
        add("qint32", 4, null);
        add("float8_e4m3fn", 1, null);
        add("float8_e4m3fnuz", 1, null);
        add("float8_e5m2", 1, null);
        add("float8_e5m2fnuz", 1, null);
        alias("float", "float32");
        alias("double", "float64");
        alias("half", "float16");
        alias("cfloat", "complex64");
        alias("cdouble", "complex128");
        alias("chalf", "complex32");
        alias("short", "int16");
        alias("int", "int32");
        alias("long", "int64");
    }

    private static void add(String name, int itemSize, DType dtype) {
        BY_NAME.put(name, new Info(name, itemSize, Optional.ofNullable(dtype)));
    }

    private static void alias(String alias, String canonical) {
        BY_NAME.put(alias, BY_NAME.get(canonical));
    }

    /** The dtype {@code torch.<name>} refers to, if {@code name} is a known torch dtype. */
    static Optional<Info> byName(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }
}

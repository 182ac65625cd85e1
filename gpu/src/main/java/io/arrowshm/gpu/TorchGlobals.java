package io.arrowshm.gpu;

import io.arrowshm.gpu.internal.pickle.GlobalPolicy;
import io.arrowshm.gpu.internal.pickle.PickleValue;
import java.util.Set;

/**
 * pyshmem's allowlist for the GPU handle pickle (spec §6.3, {@code _RestrictedCudaUnpickler}),
 * plus the one rule pyshmem gets from executing nothing but torch itself: REDUCE may only
 * apply {@code torch.Size} (and the harmless {@code collections.OrderedDict} torch once used
 * for hooks), never the rebuild function, a class or a dtype.
 */
final class TorchGlobals implements GlobalPolicy {
    static final String REDUCTIONS = "torch.multiprocessing.reductions";
    static final String REBUILD_CUDA_TENSOR = "rebuild_cuda_tensor";
    static final String TORCH = "torch";
    static final String TENSOR = "Tensor";
    static final String SIZE = "Size";
    static final String STORAGE = "torch.storage";
    static final String TYPED_STORAGE = "TypedStorage";
    static final String LEGACY_TYPED_STORAGE = "_TypedStorage";
    static final String COLLECTIONS = "collections";
    static final String ORDERED_DICT = "OrderedDict";

    static final TorchGlobals INSTANCE = new TorchGlobals();

    private static final Set<String> ALLOWED = Set.of(
            REDUCTIONS + "." + REBUILD_CUDA_TENSOR,
            TORCH + "." + TENSOR,
            TORCH + "." + SIZE,
            STORAGE + "." + TYPED_STORAGE,
            STORAGE + "." + LEGACY_TYPED_STORAGE,
            COLLECTIONS + "." + ORDERED_DICT);

    private TorchGlobals() {
    }

    @Override
    public boolean allowsGlobal(String module, String name) {
        // Compare the pair, not the joined string: "torch.storage" + "TypedStorage" must not
        // be reachable as module "torch" and name "storage.TypedStorage" (protocol 4 resolves
        // dotted names as attribute paths).
        if (name.indexOf('.') >= 0) {
            return false;
        }
        return ALLOWED.contains(module + "." + name)
                || (TORCH.equals(module) && TorchDTypes.byName(name).isPresent());
    }

    @Override
    public boolean allowsReduce(PickleValue.Global callable) {
        return (TORCH.equals(callable.module()) && SIZE.equals(callable.name()))
                || (COLLECTIONS.equals(callable.module()) && ORDERED_DICT.equals(callable.name()));
    }
}

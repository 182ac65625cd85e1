package io.arrowshm.cli.limits;

import io.arrowshm.cli.ByteSize;
import io.arrowshm.tensors.IpcLimits;
import picocli.CommandLine.Option;

/**
 * The limits on record batches from elsewhere, shared by {@code replay}, {@code serve} (for
 * {@code DoPut}) and {@code mirror}: {@code --max-frame-bytes}, {@code --max-batch-rows},
 * {@code --max-batch-bytes}, each defaulting to {@link IpcLimits#defaults()}.
 *
 * <pre>{@code
 * @Mixin IpcLimitOptions limits;   // then limits.limits()
 * }</pre>
 */
public final class IpcLimitOptions {
    @Option(names = "--max-frame-bytes", paramLabel = "SIZE", converter = ByteSize.class,
            description = "Largest frame (one tensor row) accepted (default 256M; serve: 64M).")
    private Long maxFrameBytes;

    @Option(names = "--max-batch-rows", paramLabel = "N",
            description = "Most rows one record batch may declare (default 65536).")
    private Integer maxBatchRows;

    @Option(names = "--max-batch-bytes", paramLabel = "SIZE", converter = ByteSize.class,
            description = "Most tensor bytes one record batch may carry, decompressed (default 512M; serve: 64M).")
    private Long maxBatchBytes;

    /** The limits the options give, {@link IpcLimits#defaults()} for those not given. */
    public IpcLimits limits() {
        return limits(IpcLimits.defaults());
    }

    /** The limits the options give, {@code base}'s for those not given. */
    public IpcLimits limits(IpcLimits base) {
        IpcLimits limits = base;
        if (maxFrameBytes != null) {
            limits = limits.maxFrameBytes(maxFrameBytes);
        }
        if (maxBatchRows != null) {
            limits = limits.maxBatchRows(maxBatchRows);
        }
        if (maxBatchBytes != null) {
            limits = limits.maxBatchBytes(maxBatchBytes);
        }
        return limits;
    }
}

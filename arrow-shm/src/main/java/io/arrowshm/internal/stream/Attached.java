package io.arrowshm.internal.stream;

import io.arrowshm.internal.format.StreamDescriptor;
import io.arrowshm.internal.format.StreamNames;
import io.arrowshm.internal.posix.LockFile;
import io.arrowshm.internal.posix.Mapping;

/**
 * The resources of one attached stream, handed from {@link Lifecycle} to the handle that
 * will own them: two mappings and one lock-file reference.
 */
public record Attached(StreamNames names, StreamDescriptor descriptor, Mapping metadata, Mapping payload,
                       LockFile lock, boolean owner, boolean readOnly) {
}

package io.arrowshm.internal.stream;

/**
 * A {@link PayloadTransfer} whose source or target is device memory: the publication and
 * read paths run it as it is, without the host staging that host transfers on a GPU stream
 * get from {@link DeviceLink}.
 */
@FunctionalInterface
interface DeviceTransfer<T> extends PayloadTransfer<T> {
}

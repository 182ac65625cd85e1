package io.arrowshm.internal.ring;

import io.arrowshm.internal.stream.PayloadCodec;

/**
 * One typed copy between a slot and a caller's array or buffer, chosen at the call site
 * ({@code PayloadCodec::copyIn} for a {@code float[]}, say): {@code at} is the slot's byte
 * offset in the slot data. Method references that capture nothing allocate nothing.
 */
@FunctionalInterface
public interface SlotTransfer<T> {
    void apply(PayloadCodec slots, long at, T value);
}

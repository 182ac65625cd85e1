package io.arrowshm.internal.stream;

/**
 * One typed copy between the payload and a caller's array or buffer, chosen at the call
 * site ({@code PayloadCodec::copyIn} for a {@code float[]}, say) so the protocol code runs
 * the copy without dispatching on the argument's class. Method references that capture
 * nothing are constants: passing one allocates nothing.
 */
@FunctionalInterface
public interface PayloadTransfer<T> {
    void apply(PayloadCodec codec, T value);
}

package io.arrowshm.gpu.internal.pickle;

/**
 * What a {@link PickleMachine} may name and reduce. The machine asks before it pushes a
 * global and before it records a REDUCE; a refusal ends the parse.
 */
public interface GlobalPolicy {

    /** Whether STACK_GLOBAL may produce {@code module.name}. */
    boolean allowsGlobal(String module, String name);

    /** Whether REDUCE may apply {@code callable} (already allowed as a global). */
    boolean allowsReduce(PickleValue.Global callable);
}

package io.arrowshm.internal.stream;

import io.arrowshm.SharedMemoryException;

/**
 * What every operation of a handle goes through: entering counts it as in flight (so closing
 * never unmaps under it), a closed handle refuses with a clear {@link IllegalStateException},
 * and a fault on mapped memory becomes a {@link SharedMemoryException}.
 *
 * <p>The JVM reports a SIGBUS on mapped memory (a segment truncated by another process) as
 * an {@link InternalError}, at the faulting access or at the thread's next native transition;
 * {@link #fault} is where every such error turns into the library's exception.
 */
public final class OperationGuard {
    private final String name;
    private final String closedWhat;
    private final String reopen;
    private final UseCounter uses;

    public OperationGuard(String name, Runnable release) {
        this(name, "shared memory '" + name + "'", "reopen it with SharedMemory.open(\"" + name + "\")", release);
    }

    /**
     * @param closedWhat what a closed handle is, for messages: {@code "ring reader 'trainer' of 'frames'"}
     * @param reopen what to do instead, as a clause: {@code "open a new reader"}
     */
    public OperationGuard(String name, String closedWhat, String reopen, Runnable release) {
        this.name = name;
        this.closedWhat = closedWhat;
        this.reopen = reopen;
        this.uses = new UseCounter(release);
    }

    /** Counts an operation in; throws when the handle is closed. Pair with {@link #exit()}. */
    public void enter(String operation) {
        if (!uses.enter()) {
            throw closed(operation);
        }
    }

    /** Counts an operation in unless the handle is closed; true when it did (pair with {@link #exit()}). */
    public boolean tryEnter() {
        return uses.enter();
    }

    public void exit() {
        uses.exit();
    }

    /** Marks the handle closed; false when it already was. Resources go when the last operation leaves. */
    public boolean close() {
        return uses.close();
    }

    public boolean closed() {
        return uses.closed();
    }

    /** Throws when the handle was closed meanwhile (long waits check this on every round). */
    public void checkOpen(String operation) {
        if (uses.closed()) {
            throw closed(operation);
        }
    }

    public IllegalStateException closed(String operation) {
        return new IllegalStateException("cannot " + operation + " closed " + closedWhat + "; " + reopen);
    }

    /**
     * The exception to throw for {@code e}: an {@link InternalError} (a fault on mapped memory)
     * becomes a {@link SharedMemoryException}; other exceptions and errors pass unchanged.
     */
    public RuntimeException fault(Throwable e, String operation) {
        if (e instanceof InternalError) {
            return new SharedMemoryException("cannot " + operation + " '" + name + "': its shared memory is no"
                    + " longer backed (a segment was truncated by another process); unlink and recreate the stream", e);
        }
        if (e instanceof RuntimeException) {
            return (RuntimeException) e;
        }
        throw (Error) e;
    }
}

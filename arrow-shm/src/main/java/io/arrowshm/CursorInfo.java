package io.arrowshm;

import java.util.Optional;

/**
 * One named cursor of a ring as {@link Ring#cursors()} and {@link Ring#stat} found it.
 *
 * @param name the cursor's name
 * @param position the next position it delivers
 * @param lag frames written that it has not consumed ({@code writePosition - position})
 * @param pid the attached reader's process, when one is attached
 * @param live whether a reader holds it now (its liveness lock is held)
 * @param blocking whether it holds a {@link Overflow#BLOCK} writer back
 * @param untethered whether its grace ran out while detached, so it holds nobody back until a reader attaches
 * @param detachedEpochNanos when it was last detached (epoch nanoseconds), 0 while attached
 * @param graceNanos how long it holds a BLOCK writer back once detached
 * @param attachCount attaches so far
 */
public record CursorInfo(String name, long position, long lag, Optional<Long> pid, boolean live, boolean blocking,
                         boolean untethered, long detachedEpochNanos, long graceNanos, long attachCount) {
}

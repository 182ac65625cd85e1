package io.arrowshm;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The write locks of several streams, taken by {@link SharedMemory#lockedMany} in sorted-name
 * order; closing releases them in reverse (once, however often it is closed).
 *
 * <pre>{@code
 * try (MultiLock held = SharedMemory.lockedMany(List.of(images, labels), Duration.ofSeconds(1))) {
 *     images.write(image);
 *     labels.write(label);
 * }
 * }</pre>
 */
public final class MultiLock implements AutoCloseable {
    /** Python orders str by code point; String.compareTo orders by UTF-16 unit, which differs above U+FFFF. */
    static final Comparator<String> CODE_POINT_ORDER = (a, b) -> Arrays.compare(a.codePoints().toArray(),
            b.codePoints().toArray());

    private final List<SharedMemory> acquired;
    private boolean released;

    private MultiLock(List<SharedMemory> acquired) {
        this.acquired = acquired;
    }

    static MultiLock acquire(List<SharedMemory> handles, Duration timeout) {
        Set<String> unique = new HashSet<>();
        for (SharedMemory handle : handles) {
            if (!unique.add(handle.name())) {
                throw new IllegalArgumentException("lockedMany() requires unique stream names, '" + handle.name()
                        + "' appears twice");
            }
        }
        long deadline = Arguments.deadline(timeout);
        List<SharedMemory> sorted = sortedByName(handles);
        int taken = 0;
        try {
            for (SharedMemory handle : sorted) {
                long remaining = deadline - System.nanoTime();
                handle.acquire(Duration.ofNanos(Math.max(0, remaining)));
                taken++;
            }
        } catch (RuntimeException | Error e) {
            releaseInReverse(sorted, taken);
            throw e;
        }
        return new MultiLock(List.copyOf(handles));
    }

    /** The handles in the order the caller passed them. */
    public List<SharedMemory> handles() {
        return acquired;
    }

    @Override
    public void close() {
        if (released) {
            return;
        }
        released = true;
        releaseInReverse(sortedByName(acquired), acquired.size());
    }

    private static List<SharedMemory> sortedByName(List<SharedMemory> handles) {
        List<SharedMemory> sorted = new ArrayList<>(handles);
        sorted.sort(Comparator.comparing(SharedMemory::name, CODE_POINT_ORDER));
        return sorted;
    }

    private static void releaseInReverse(List<SharedMemory> sorted, int taken) {
        for (int i = taken - 1; i >= 0; i--) {
            sorted.get(i).release();
        }
    }
}

package io.arrowshm.internal.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.DType;
import io.arrowshm.SharedMemory;
import io.arrowshm.SharedMemoryException;
import io.arrowshm.internal.format.StreamNames;
import io.arrowshm.testing.Names;
import io.arrowshm.testing.PeerProcess;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Core item 10: a {@code boolean[]} write or read that is already running in compiled code when
 * another process truncates the segment fails as fast as the other dtypes do. The copy runs in
 * a child JVM ({@link Child}) over and over (compiled after the first rounds); this JVM truncates
 * the data segment under it and times how long the child takes to report the failure. Before the
 * fix, the per-element conversion took one SIGBUS per remaining element (the fault is only noted
 * in compiled code and delivered when the loop ends): about a minute for 32 Mi elements, all of
 * it under the write lock for a write.
 */
@Timeout(300)
class BooleanTruncationTest {
    /** 32 MiB of bools: a copy long enough to be cut in the middle, split across the copy threads. */
    private static final int ELEMENTS = 32 << 20;
    /** Far above the milliseconds other dtypes take, far below the minute the per-element path took. */
    private static final Duration PROMPT = Duration.ofSeconds(10);
    private static final int TRIALS = 3;

    private final String name = Names.unique("bool-trunc");

    @AfterEach
    void removeStream() {
        SharedMemory.unlink(name);
    }

    @ParameterizedTest(name = "{0} of boolean[] cut by a truncation in another process")
    @ValueSource(strings = {"write", "read"})
    void aRunningBooleanCopyFailsPromptlyWhenTheSegmentIsTruncated(String op) throws Exception {
        // Where the truncation lands is up to the scheduler (inside a copy, or between two): three tries.
        for (int trial = 0; trial < TRIALS; trial++) {
            truncateUnderARunningCopy(op);
            SharedMemory.unlink(name);
        }
    }

    private void truncateUnderARunningCopy(String op) throws Exception {
        try (PeerProcess child = PeerProcess.java(Child.class, name, op, Integer.toString(ELEMENTS))) {
            child.await("copying", Duration.ofSeconds(120));
            Thread.sleep(300); // several compiled rounds in: the truncation lands inside one of them
            long start = System.nanoTime();
            try (FileChannel channel = FileChannel.open(Path.of("/dev/shm", StreamNames.of(name).dataSegment()),
                    StandardOpenOption.WRITE)) {
                channel.truncate(0);
            }
            String outcome = child.nextLine(Duration.ofSeconds(240));
            long millis = (System.nanoTime() - start) / 1_000_000;
            System.out.println("boolean " + op + " on a segment truncated mid-copy: " + outcome + ", reported after "
                    + millis + " ms");
            assertTrue(outcome.startsWith("outcome SharedMemoryException"), outcome);
            assertTrue(millis < PROMPT.toMillis(), "the " + op + " took " + millis + " ms to fail after the truncation");
            List<String> rest = child.finish(Duration.ofSeconds(60));
            assertEquals(List.of(), rest);
        }
    }

    /** The child: creates the stream, then copies boolean[] into or out of it until a copy fails. */
    public static final class Child {
        public static void main(String[] args) {
            String op = args[1];
            boolean[] values = new boolean[Integer.parseInt(args[2])];
            for (int i = 0; i < values.length; i += 3) {
                values[i] = true;
            }
            try (SharedMemory shm = SharedMemory.create(args[0], DType.BOOL, values.length)) {
                shm.write(values);
                for (int round = 0; ; round++) {
                    if (round == 3) {
                        System.out.println("copying");
                        System.out.flush();
                    }
                    try {
                        if (op.equals("write")) {
                            shm.write(values);
                        } else {
                            shm.readInto(values);
                        }
                    } catch (SharedMemoryException e) {
                        System.out.println("outcome SharedMemoryException in round " + round + ": " + e.getMessage());
                        return;
                    } catch (Throwable e) {
                        System.out.println("outcome " + e);
                        return;
                    }
                }
            }
        }
    }
}

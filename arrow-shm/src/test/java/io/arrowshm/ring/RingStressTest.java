package io.arrowshm.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.CursorOptions;
import io.arrowshm.DType;
import io.arrowshm.Overflow;
import io.arrowshm.Ring;
import io.arrowshm.RingBatch;
import io.arrowshm.RingFrame;
import io.arrowshm.RingLease;
import io.arrowshm.RingOptions;
import io.arrowshm.RingReader;
import io.arrowshm.RingWriter;
import io.arrowshm.StreamTimeoutException;
import io.arrowshm.internal.ring.RingDescriptor;
import io.arrowshm.internal.ring.RingHooks;
import io.arrowshm.internal.ring.RingNames;
import io.arrowshm.testing.Names;
import io.arrowshm.testing.RingFrames;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Threads in one JVM hammering one ring: a writer against readers that copy, lease and batch,
 * every frame checked; and the writer's store order observed from inside a write.
 */
@Timeout(120)
class RingStressTest {
    private final String name = Names.unique("ring-stress");

    @AfterEach
    void removeRing() {
        RingHooks.installAfterCopy(null);
        Ring.unlink(name);
    }

    @Test
    void copiesLeasesAndBatchesOfOneRingAllSeeWholeFramesInOrder() throws Exception {
        long frames = 200_000;
        int size = 256;
        try (Ring ring = Ring.create(name, RingOptions.of(DType.UINT8, size).capacity(16))) {
            List<Thread> threads = new ArrayList<>();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicLong[] delivered = {new AtomicLong(), new AtomicLong(), new AtomicLong(), new AtomicLong()};
            String[] modes = {"take", "lease", "batch", "observer"};
            List<RingReader> readers = new ArrayList<>();
            for (String mode : modes) {
                readers.add(ring.reader(mode, CursorOptions.defaults().blocking(!mode.equals("observer"))));
            }
            for (int r = 0; r < modes.length; r++) {
                RingReader reader = readers.get(r);
                String mode = modes[r];
                AtomicLong count = delivered[r];
                threads.add(new Thread(() -> {
                    try {
                        read(reader, mode, size, frames, count);
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                }, "reader-" + mode));
            }
            threads.add(new Thread(() -> {
                try (RingWriter writer = ring.writer()) {
                    byte[] frame = new byte[size];
                    for (long p = 0; p < frames; p++) {
                        RingFrames.fill(frame, p);
                        writer.write(frame, p, Duration.ofSeconds(30));
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "writer"));
            threads.forEach(Thread::start);
            for (Thread thread : threads) {
                thread.join(100_000);
            }
            readers.forEach(RingReader::close);
            if (failure.get() != null) {
                throw new AssertionError(failure.get());
            }
            for (int r = 0; r < 3; r++) {
                assertEquals(frames, delivered[r].get(), modes[r] + " got every frame");
                assertEquals(0, readers.get(r).lost(), modes[r]);
            }
            assertEquals(frames, delivered[3].get() + readers.get(3).lost(), "the observer: seen + lost = written");
        }
    }

    private static void read(RingReader reader, String mode, int size, long frames, AtomicLong count) {
        long expected = 0;
        while (expected < frames) {
            try {
                switch (mode) {
                    case "take", "observer" -> {
                        try (RingFrame f = reader.take(Duration.ofSeconds(10))) {
                            if (mode.equals("take") && f.position() != expected) {
                                throw new AssertionError("take: position " + f.position() + ", expected " + expected);
                            }
                            check(RingFrames.check(f.buffer(), size, f.position()) && f.frameId() == f.position(),
                                    mode, f.position());
                            expected = f.position() + 1;
                            count.incrementAndGet();
                        }
                    }
                    case "lease" -> {
                        try (RingLease lease = reader.lease(Duration.ofSeconds(10))) {
                            check(lease.position() == expected, mode, lease.position());
                            check(RingFrames.check(lease.buffer(), size, expected) && lease.valid(), mode, expected);
                            expected++;
                            count.incrementAndGet();
                        }
                    }
                    default -> {
                        try (RingBatch batch = reader.leaseBatch(7, Duration.ofSeconds(10))) {
                            check(batch.firstPosition() == expected, mode, batch.firstPosition());
                            for (int i = 0; i < batch.count(); i++) {
                                check(RingFrames.check(batch.buffer().slice((long) i * size, size), size, expected + i),
                                        mode, expected + i);
                            }
                            check(batch.valid(), mode, expected);
                            expected += batch.count();
                            count.addAndGet(batch.count());
                        }
                    }
                }
            } catch (StreamTimeoutException e) {
                if (mode.equals("observer")) {
                    return; // lapped to the end: the writer finished
                }
                throw e;
            }
            if (mode.equals("observer") && reader.position() >= frames) {
                return;
            }
        }
    }

    private static void check(boolean ok, String mode, long position) {
        if (!ok) {
            throw new AssertionError(mode + ": frame " + position + " is not whole");
        }
    }

    @Test
    void theWritersStoresComeInTheDocumentedOrder() throws Exception {
        try (Ring ring = Ring.create(name, RingOptions.of(DType.UINT8, 64).capacity(4).overflow(Overflow.OVERWRITE));
             RingWriter writer = ring.writer();
             FileChannel file = FileChannel.open(io.arrowshm.internal.posix.Segments.path(RingNames.of(name).segment()),
                     StandardOpenOption.READ)) {
            long slotTable = RingDescriptor.slotTableOffset(ring.maxCursors());
            List<String> seen = new ArrayList<>();
            RingHooks.installAfterCopy(position -> {
                // Inside the write, after the copy: the slot says "writing", nothing is published yet.
                long slot = position % 4;
                seen.add("stamp " + word(file, slotTable + 64 * slot) + " write_position "
                        + word(file, RingDescriptor.WRITE_POSITION_OFFSET));
            });
            writer.write(new byte[64], 1);
            writer.write(new byte[64], 2);
            for (int i = 0; i < 4; i++) {
                writer.write(new byte[64], 3);
            }
            RingHooks.installAfterCopy(null);
            assertEquals("stamp " + RingDescriptor.writing(0) + " write_position 0", seen.get(0));
            assertEquals("stamp " + RingDescriptor.writing(1) + " write_position 1", seen.get(1));
            assertEquals("stamp " + RingDescriptor.writing(4) + " write_position 4", seen.get(4),
                    "reusing slot 0 stamps the new position odd before copying");
            assertEquals(RingDescriptor.written(5), word(file, slotTable + 64), "then even");
            assertEquals(6, word(file, RingDescriptor.WRITE_POSITION_OFFSET), "then published");
            assertEquals(3, word(file, slotTable + 64 + 8), "the frame id beside it");
        }
    }

    private static long word(FileChannel file, long offset) {
        try {
            ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            file.read(b, offset);
            return b.getLong(0);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}

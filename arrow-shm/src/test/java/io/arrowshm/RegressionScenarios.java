package io.arrowshm;

import io.arrowshm.internal.format.StreamNames;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * Child-JVM side of the regression tests whose failure on a defective library is a JVM crash
 * (SIGSEGV after an unmap, SIGBUS on a truncated segment) or needs a big heap. One scenario per
 * run: {@code SCENARIO NAME [ARG]}. Prints {@code OK} when the scenario's checks all held, or
 * {@code FAILED <exception>}; the truncation scenarios print {@code outcome <what> <class>} lines.
 * A crash shows as a non-zero exit status (and no OK) in the test.
 */
public final class RegressionScenarios {
    private RegressionScenarios() {
    }

    public static void main(String[] args) {
        String scenario = args[0];
        String name = args[1];
        try {
            run(scenario, name, args.length > 2 ? args[2] : null);
            System.out.println("OK");
        } catch (Throwable t) {
            System.out.println("FAILED " + t);
            t.printStackTrace(System.out);
        } finally {
            try {
                SharedMemory.unlink(name);
            } catch (Throwable ignored) {
                // best effort
            }
            System.out.flush();
        }
    }

    private static void run(String scenario, String name, String arg) throws Exception {
        switch (scenario) {
            case "ref-zero-copy-close": refZeroCopyClose(name, 1); break;
            case "ref-zero-copy-close-twice": refZeroCopyClose(name, 2); break;
            case "ref-buffer-close-twice": refBufferCloseTwice(name); break;
            case "ref-write-view-buffer-close": refWriteViewBufferClose(name); break;
            case "ref-buffer-outlives-handle": refBufferOutlivesHandle(name); break;
            case "truncated-data": truncatedData(name, arg); break;
            case "truncated-meta": truncatedMeta(name, arg); break;
            case "large-heap": largeHeap(name); break;
            case "large-off-heap": largeOffHeap(name); break;
            case "large-byte-buffer": largeByteBuffer(name); break;
            default: throw new IllegalArgumentException("unknown scenario " + scenario);
        }
    }

    // ------------------------------------------------------------------ defect 1: handed-out references

    private static final int SMALL = 64 * 1024;

    private static byte[] pattern(int size, int seed) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (i * 31 + seed * 7 + (i >>> 8));
        }
        return bytes;
    }

    private static void check(boolean condition, String what) {
        if (!condition) {
            throw new AssertionError(what);
        }
    }

    /** readInto and readZeroCopy on {@code shm} return {@code expected}, and a new write reads back. */
    private static void handleStillWorks(SharedMemory shm, int seed) {
        byte[] expected = pattern(SMALL, seed);
        byte[] back = new byte[SMALL];
        shm.readInto(back);
        check(Arrays.equals(expected, back), "readInto after the close returned other bytes");
        long sum = shm.readZeroCopy(view -> {
            long s = 0;
            for (int i = 0; i < SMALL; i++) {
                s += view.getByte(i);
            }
            return s;
        });
        long expectedSum = 0;
        for (byte b : expected) {
            expectedSum += b;
        }
        check(sum == expectedSum, "readZeroCopy after the close summed " + sum + ", expected " + expectedSum);
        byte[] next = pattern(SMALL, seed + 1);
        shm.write(next);
        shm.readInto(back);
        check(Arrays.equals(next, back), "a write after the close did not read back");
        try (ArrowBuf copy = shm.read()) {
            byte[] copied = new byte[SMALL];
            copy.getBytes(0, copied);
            check(Arrays.equals(next, copied), "read() after the close returned other bytes");
        }
    }

    private static void refZeroCopyClose(String name, int closes) {
        try (SharedMemory shm = SharedMemory.create(name, DType.UINT8, SMALL)) {
            shm.write(pattern(SMALL, 1));
            int result = shm.readZeroCopy(view -> {
                for (int i = 0; i < closes; i++) {
                    view.close();
                }
                return 0;
            });
            check(result == 0, "readZeroCopy result");
            System.gc(); // nothing should depend on timing, but give an unmapped page every chance to show
            handleStillWorks(shm, 1);
            handleStillWorks(shm, 2); // a second readZeroCopy after the first one's close
        }
    }

    private static void refBufferCloseTwice(String name) {
        try (SharedMemory shm = SharedMemory.create(name, DType.UINT8, SMALL)) {
            shm.write(pattern(SMALL, 3));
            ArrowBuf view = shm.buffer();
            view.close();
            view.close();
            handleStillWorks(shm, 3);
        }
    }

    private static void refWriteViewBufferClose(String name) {
        try (SharedMemory shm = SharedMemory.create(name, DType.UINT8, SMALL)) {
            shm.write(pattern(SMALL, 4));
            long countBefore = shm.count();
            try (WriteView w = shm.writeView()) {
                w.buffer().close();
                w.buffer().setBytes(0, pattern(SMALL, 4));
                w.buffer().setByte(0, 7);
                w.publish();
            }
            check(shm.count() == countBefore + 1, "the view's publish was not counted");
            byte[] back = new byte[SMALL];
            shm.readInto(back);
            check(back[0] == 7, "the view's byte was not published");
            back[0] = pattern(SMALL, 4)[0];
            check(Arrays.equals(pattern(SMALL, 4), back), "the published payload differs");
            shm.write(pattern(SMALL, 4));
            handleStillWorks(shm, 4);
        }
    }

    private static void refBufferOutlivesHandle(String name) {
        SharedMemory shm = SharedMemory.create(name, DType.UINT8, SMALL);
        shm.write(pattern(SMALL, 5));
        ArrowBuf view = shm.buffer();
        ArrowBuf other = shm.buffer();
        shm.close();
        byte[] seen = new byte[SMALL];
        view.getBytes(0, seen);
        check(Arrays.equals(pattern(SMALL, 5), seen), "the view no longer shows the payload after the handle closed");
        // Closing one view (twice) must not take the other view's reference with it.
        view.close();
        view.close();
        System.gc();
        other.getBytes(0, seen);
        check(Arrays.equals(pattern(SMALL, 5), seen), "the second view lost its mapping when the first was closed twice");
        other.close();
        try (SharedMemory reopened = SharedMemory.open(name)) {
            reopened.readInto(seen);
            check(Arrays.equals(pattern(SMALL, 5), seen), "the stream changed");
        }
    }

    // ------------------------------------------------------------------ defect 2: truncated segments

    private static final int TRUNCATED_ELEMENTS = 256 * 1024;

    private static void truncate(String segment) throws Exception {
        try (FileChannel channel = FileChannel.open(Path.of("/dev/shm", segment), StandardOpenOption.WRITE)) {
            channel.truncate(0);
        }
    }

    private static DType dtypeFor(String op) {
        switch (op) {
            case "write-short": return DType.INT16;
            case "write-int": return DType.INT32;
            case "write-long": return DType.INT64;
            case "write-float": return DType.FLOAT32;
            case "write-double": return DType.FLOAT64;
            case "write-boolean": return DType.BOOL;
            default: return DType.UINT8;
        }
    }

    /** One operation on a stream whose data segment was truncated, three rounds (interpreted, then compiled code). */
    private static void truncatedData(String name, String op) throws Exception {
        DType dtype = dtypeFor(op);
        try (SharedMemory shm = SharedMemory.create(name, dtype, TRUNCATED_ELEMENTS);
             BufferAllocator allocator = new RootAllocator()) {
            int size = (int) shm.size();
            shm.write(new byte[size]);
            truncate(StreamNames.of(name).dataSegment());
            for (int round = 0; round < 3; round++) {
                Throwable outcome = null;
                try {
                    truncatedDataOp(shm, op, size, allocator);
                } catch (Throwable t) {
                    outcome = t;
                }
                System.out.println("outcome " + op + " " + describe(outcome));
                System.out.flush();
            }
        }
    }

    private static void truncatedDataOp(SharedMemory shm, String op, int size, BufferAllocator allocator) {
        int elements = TRUNCATED_ELEMENTS;
        switch (op) {
            case "clear": shm.clear(); break;
            case "write-byte": shm.write(new byte[size]); break;
            case "write-short": shm.write(new short[elements]); break;
            case "write-int": shm.write(new int[elements]); break;
            case "write-long": shm.write(new long[elements]); break;
            case "write-float": shm.write(new float[elements]); break;
            case "write-double": shm.write(new double[elements]); break;
            case "write-boolean": shm.write(new boolean[elements]); break;
            case "write-byte-buffer": shm.write(ByteBuffer.allocateDirect(size)); break;
            case "write-arrow-buf": {
                try (ArrowBuf source = allocator.buffer(size)) {
                    source.setZero(0, size);
                    shm.write(source);
                }
                break;
            }
            case "read-into": shm.readInto(new byte[size]); break;
            case "read": shm.read().close(); break;
            case "read-zero-copy": shm.readZeroCopy(view -> view.getLong(0) + view.getLong(size - 8)); break;
            case "write-view-publish": {
                // No store through view.buffer() here: the JVM may deliver the fault of the caller's own
                // store in the caller's frame. Publishing a frame the segment cannot back must still fail.
                try (WriteView view = shm.writeView()) {
                    view.publish();
                }
                break;
            }
            default: throw new IllegalArgumentException("unknown op " + op);
        }
    }

    /** readNew(Duration), WriteView publish or close, or a counter, on a stream whose metadata segment was truncated. */
    private static void truncatedMeta(String name, String op) throws Exception {
        try (SharedMemory shm = SharedMemory.create(name, DType.UINT8, 4096)) {
            shm.write(new byte[4096]);
            Throwable outcome = null;
            switch (op) {
                case "read-new": {
                    truncate(StreamNames.of(name).metaSegment());
                    try {
                        shm.readNew(Duration.ofMillis(200)).close();
                    } catch (Throwable t) {
                        outcome = t;
                    }
                    break;
                }
                case "write-view-publish":
                case "write-view-close":
                case "write-view-publish-warm":
                case "write-view-close-warm": {
                    // "-warm": run it 20,000 times first, so compiled code meets the fault, not the interpreter.
                    for (int i = 0; op.endsWith("-warm") && i < 20_000; i++) {
                        WriteView warm = shm.writeView();
                        if (op.startsWith("write-view-publish")) {
                            warm.publish();
                        } else {
                            warm.close();
                        }
                    }
                    shm.write(new byte[4096]);
                    WriteView view = shm.writeView();
                    view.buffer().setByte(0, 1);
                    truncate(StreamNames.of(name).metaSegment());
                    try {
                        if (op.startsWith("write-view-publish")) {
                            view.publish();
                        } else {
                            view.close();
                        }
                    } catch (Throwable t) {
                        outcome = t;
                    }
                    break;
                }
                case "count-warm":
                case "frame-id-warm":
                case "write-time-warm": {
                    // Counters are single loads with a fault barrier after them: warm them into compiled
                    // code first, where a fault is only noted and delivered later unless the barrier does it.
                    long sum = 0;
                    for (int i = 0; i < 200_000; i++) {
                        sum += counter(shm, op);
                    }
                    truncate(StreamNames.of(name).metaSegment());
                    try {
                        sum += counter(shm, op);
                    } catch (Throwable t) {
                        outcome = t;
                    }
                    System.out.println("sum " + sum);
                    break;
                }
                default: throw new IllegalArgumentException("unknown op " + op);
            }
            System.out.println("outcome " + op + " " + describe(outcome));
            // The handle stays usable for clear errors afterwards: no late InternalError, no crash.
            outcome = null;
            try {
                shm.write(new byte[4096]);
            } catch (Throwable t) {
                outcome = t;
            }
            System.out.println("outcome " + op + " " + describe(outcome) + " (then write)");
            outcome = null;
            try {
                shm.readInto(new byte[4096]);
            } catch (Throwable t) {
                outcome = t;
            }
            System.out.println("outcome " + op + " " + describe(outcome) + " (then readInto)");
            System.out.flush();
        }
    }

    private static long counter(SharedMemory shm, String op) {
        return switch (op) {
            case "count-warm" -> shm.count();
            case "frame-id-warm" -> shm.frameId();
            default -> (long) shm.writeTime();
        };
    }

    /** "SharedMemoryException" for the expected outcome (that class or a subclass other than timeout/interrupt). */
    private static String describe(Throwable outcome) {
        if (outcome == null) {
            return "no-exception";
        }
        if (outcome instanceof SharedMemoryException && !(outcome instanceof StreamTimeoutException)
                && !(outcome instanceof StreamInterruptedException)) {
            return "SharedMemoryException";
        }
        StringBuilder where = new StringBuilder();
        StackTraceElement[] trace = outcome.getStackTrace();
        for (int i = 0; i < Math.min(4, trace.length); i++) {
            where.append(" at ").append(trace[i]);
        }
        return outcome.getClass().getName() + ": " + String.valueOf(outcome.getMessage()).replace('\n', ' ') + where;
    }

    // ------------------------------------------------------------------ defect 9: payloads over 2 GiB

    private static void largeHeap(String name) {
        int size = 1536 << 20; // 1.5 GiB, crosses 1 GiB
        try (SharedMemory shm = SharedMemory.create(name, DType.UINT8, size)) {
            long seq0 = shm.writeSequence();
            long count0 = shm.count();
            expectIllegalArgument(() -> shm.write(new byte[size - 1]), "a short array");
            check(shm.writeSequence() == seq0 && shm.count() == count0,
                    "a rejected write changed writeSequence/count: " + shm.writeSequence() + "/" + shm.count());
            byte[] data = new byte[size];
            for (int i = 0; i < size; i++) {
                data[i] = (byte) (i * 31 + (i >>> 20));
            }
            shm.write(data);
            check(shm.count() == count0 + 1, "count after the write: " + shm.count());
            check(shm.writeSequence() > seq0 && shm.writeSequence() % 2 == 0, "writeSequence after the write: "
                    + shm.writeSequence());
            long seq1 = shm.writeSequence();
            expectIllegalArgument(() -> shm.write(new byte[1024]), "a 1 KiB array");
            check(shm.writeSequence() == seq1 && shm.count() == count0 + 1,
                    "a rejected write changed writeSequence/count: " + shm.writeSequence() + "/" + shm.count());
            long expectedCrc = crc(data);
            byte[] back = new byte[size];
            shm.readInto(back);
            data = null; // keep the heap under -Xmx6g
            int gib = 1 << 30;
            for (int i : new int[] {0, 1, gib - 1, gib, gib + 1, size - 1}) {
                check(back[i] == (byte) (i * 31 + (i >>> 20)), "byte " + i + " read back as " + back[i]);
            }
            check(crc(back) == expectedCrc, "checksum of the bytes read back differs");
        }
    }

    private static long crc(byte[] bytes) {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(bytes, 0, bytes.length);
        return crc.getValue();
    }

    private static void expectIllegalArgument(Runnable write, String what) {
        try {
            write.run();
        } catch (IllegalArgumentException expected) {
            return;
        }
        throw new AssertionError("writing " + what + " did not throw IllegalArgumentException");
    }

    private static long word(long index) {
        return index * 0x9E3779B97F4A7C15L + 1;
    }

    private static void largeOffHeap(String name) {
        long size = 2560L << 20; // 2.5 GiB, crosses 2 GiB
        try (SharedMemory shm = SharedMemory.create(name, DType.UINT8, size);
             BufferAllocator allocator = new RootAllocator()) {
            ArrowBuf buf = allocator.buffer(size);
            for (long i = 0; i < size / 8; i++) {
                buf.setLong(i * 8, word(i));
            }
            shm.write(buf);
            check(shm.count() == 1, "count after the write: " + shm.count());
            buf.setZero(0, size); // reuse it as the target: 2.5 GiB less memory
            shm.readInto(buf);
            for (long i = 0; i < size / 8; i++) {
                long got = buf.getLong(i * 8);
                if (got != word(i)) {
                    throw new AssertionError("word at byte " + (i * 8) + " read back as " + got + ", expected " + word(i));
                }
            }
            long twoGib = 1L << 31;
            check(shm.readZeroCopy(view -> view.getLong(twoGib)) == word(twoGib / 8), "readZeroCopy at 2 GiB");
            buf.close(); // before read() allocates its own 2.5 GiB
            try (ArrowBuf copy = shm.read(allocator)) {
                check(copy.capacity() == size, "read() capacity " + copy.capacity());
                for (long i : new long[] {0, (1L << 30) / 8, twoGib / 8 - 1, twoGib / 8, twoGib / 8 + 1, size / 8 - 1}) {
                    check(copy.getLong(i * 8) == word(i), "read() word at byte " + (i * 8));
                }
            }
        }
    }

    private static void largeByteBuffer(String name) {
        int size = 1536 << 20; // 1.5 GiB through a direct ByteBuffer, crosses 1 GiB
        try (SharedMemory shm = SharedMemory.create(name, DType.UINT8, size)) {
            ByteBuffer bytes = ByteBuffer.allocateDirect(size).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < size / 8; i++) {
                bytes.putLong(i * 8, word(i));
            }
            shm.write(bytes);
            check(shm.count() == 1, "count after the write: " + shm.count());
            check(bytes.position() == 0, "write moved the position");
            for (int i = 0; i < size / 8; i++) {
                bytes.putLong(i * 8, 0);
            }
            shm.readInto(bytes);
            for (int i = 0; i < size / 8; i++) {
                if (bytes.getLong(i * 8) != word(i)) {
                    throw new AssertionError("word at byte " + (i * 8L) + " read back as " + bytes.getLong(i * 8));
                }
            }
        }
    }
}

package io.arrowshm.tensors;

import io.arrowshm.StreamInterruptedException;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;

/**
 * The loop every replay shares: open and check the file, open the target for its layout, then
 * each row in order at the asked pace (bool rows unpacked into a buffer of their own), optionally
 * over and over, with progress, {@code stop} and interrupts honoured between rows.
 */
final class FileReplay {
    /** Where the rows go: a stream, a ring. */
    interface Target extends AutoCloseable {
        /** Writes one row (exactly one frame's bytes) with its frame id; false when a stop came first (nothing written). */
        boolean write(ArrowBuf row, long frameId) throws InterruptedException;

        @Override
        void close();
    }

    /** Opens the target for the file's layout; a mismatch is a {@link TensorFileException}, nothing written. */
    interface Opener {
        Target open(TensorFileReader reader);
    }

    private FileReplay() {
    }

    static ReplayStats run(Path file, ReplayOptions options, BufferAllocator allocator, BooleanSupplier stopRequested,
                           Opener opener) {
        long start = System.nanoTime();
        long frames = 0;
        long skipped = 0;
        long passes = 0;
        Pacer pacer = new Pacer(options.pace(), options.rateHz());
        long nextProgress = start + options.progressInterval().toNanos();
        TensorFileReader reader = TensorFileReader.open(file, allocator);
        long rowBytes = reader.layout().dtype().itemSize() * product(reader.layout().shape());
        boolean interrupted = false;
        try {
            if (options.pace() == ReplayOptions.Pace.ORIGINAL && !reader.hasWriteTime()) {
                throw new TensorFileException(file + ": no write_time column to replay at the original pace;"
                        + " give a rate or replay as fast as possible");
            }
            boolean bool = reader.layout().dtype() == io.arrowshm.DType.BOOL;
            try (Target target = opener.open(reader);
                 ArrowBuf row = bool ? allocator.buffer(Math.max(1, rowBytes)) : null) {
                outer:
                while (true) {
                    pacer.restart();
                    long index = 0;
                    while (reader.loadNextBatch()) {
                        for (int i = 0; i < reader.rowCount(); i++, index++) {
                            if (stopRequested.getAsBoolean()) {
                                break outer;
                            }
                            if (reader.isNull(i)) {
                                skipped++;
                                continue;
                            }
                            pacer.awaitDue(reader.hasWriteTime() ? reader.writeTimeNanos(i) : 0);
                            long frameId = reader.frameId(i, index);
                            ArrowBuf bytes;
                            if (bool) {
                                reader.copyRow(i, row);
                                bytes = row.slice(0, rowBytes);
                            } else {
                                bytes = reader.rowBytes(i);
                            }
                            if (!target.write(bytes, frameId)) {
                                break outer;
                            }
                            frames++;
                            if (options.progress() != null && System.nanoTime() - nextProgress >= 0) {
                                options.progress().accept(new ReplayStats(frames, skipped, frames * rowBytes, passes,
                                        System.nanoTime() - start, false));
                                nextProgress = System.nanoTime() + options.progressInterval().toNanos();
                            }
                        }
                    }
                    passes++;
                    if (!options.loop() || stopRequested.getAsBoolean()) {
                        break;
                    }
                    reader.close();
                    reader = TensorFileReader.open(file, allocator);
                }
            } catch (TensorFileException e) {
                if (!Thread.currentThread().isInterrupted()) {
                    throw e;
                }
                interrupted = true; // an interrupt closed the file's channel under a read (NIO does that)
            } catch (InterruptedException | StreamInterruptedException e) {
                interrupted = true;
            }
            ReplayStats stats = new ReplayStats(frames, skipped, frames * rowBytes, passes, System.nanoTime() - start,
                    interrupted);
            if (options.progress() != null && !interrupted) {
                options.progress().accept(stats);
            }
            return stats;
        } finally {
            reader.close();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static long product(long[] shape) {
        long n = 1;
        for (long dim : shape) {
            n *= dim;
        }
        return n;
    }
}

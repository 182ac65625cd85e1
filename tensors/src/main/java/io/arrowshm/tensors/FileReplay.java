package io.arrowshm.tensors;

import io.arrowshm.DType;
import io.arrowshm.StreamInterruptedException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.BooleanSupplier;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;

/**
 * The loop every replay shares. Each pass opens the file again and checks all of it
 * ({@link TensorFileReader#checkAllBatches()}) before its first row is written, so a file
 * replaced or damaged between two passes is refused rather than written; the target (a stream, a
 * ring) is opened, or made, only once the first pass's check passed, and one the replay made is
 * removed again when that pass fails. Rows go out in order at the asked pace (bool rows unpacked
 * into a buffer of their own), optionally over and over, with progress, {@code stop} and
 * interrupts honoured between rows.
 */
final class FileReplay {
    /** Where the rows go. */
    interface Target {
        /** Bytes of one row as the target stores it. */
        long frameBytes();

        /** Writes one row (exactly one frame's bytes) with its frame id; false when a stop came first (nothing written). */
        boolean write(ArrowBuf row, long frameId) throws InterruptedException;

        /** Closes the target; {@code undo}: the replay failed before a pass completed, so remove what it made. */
        void close(boolean undo);
    }

    /** Opens (or makes) the target for the file's layout; a mismatch is a {@link TensorFileException}, nothing written. */
    interface Opener {
        Target open(ArrowTensorTypes.StreamLayout layout, TensorFileReader reader);
    }

    private final Path file;
    private final ReplayOptions options;
    private final BufferAllocator allocator;
    private final BooleanSupplier stopRequested;
    private final Opener opener;
    private final String targetName;

    FileReplay(Path file, ReplayOptions options, BufferAllocator allocator, BooleanSupplier stopRequested,
               String targetName, Opener opener) {
        this.file = file;
        this.options = options;
        this.allocator = allocator;
        this.stopRequested = stopRequested;
        this.targetName = targetName;
        this.opener = opener;
    }

    ReplayStats run() {
        Progress progress = new Progress(System.nanoTime());
        Pacer pacer = new Pacer(options.pace(), options.rateHz());
        Target target = null;
        ArrowBuf row = null;
        boolean interrupted = false;
        boolean failed = true;
        ArrowTensorTypes.StreamLayout layout = null;
        TensorFileReader reader = null;
        try {
            outer:
            while (true) {
                reader = TensorFileReader.open(file, allocator, options.limits());
                if (options.pace() == ReplayOptions.Pace.ORIGINAL && !reader.hasWriteTime()) {
                    throw new TensorFileException(file + ": no write_time column to replay at the original pace;"
                            + " give a rate or replay as fast as possible");
                }
                if (layout != null && !sameLayout(layout, reader.layout())) {
                    throw new TensorFileException(file + " now holds " + reader.layout() + " but " + targetName
                            + " is " + layout + " (the file changed between two --loop passes); nothing of it was"
                            + " published");
                }
                layout = reader.layout();
                reader.checkAllBatches();
                if (target == null) {
                    target = opener.open(layout, reader);
                    row = allocator.buffer(Math.max(1, target.frameBytes()));
                }
                pacer.restart();
                long index = 0;
                while (reader.loadNextBatch()) {
                    for (int i = 0; i < reader.rowCount(); i++, index++) {
                        if (stopRequested.getAsBoolean()) {
                            break outer;
                        }
                        if (reader.isNull(i)) {
                            progress.skipped++;
                            continue;
                        }
                        pacer.awaitDue(reader.hasWriteTime() ? reader.writeTimeNanos(i) : 0);
                        long frameId = reader.frameId(i, index);
                        ArrowBuf bytes;
                        if (layout.dtype() == DType.BOOL) {
                            reader.copyRow(i, row);
                            bytes = row.slice(0, target.frameBytes());
                        } else {
                            bytes = reader.rowBytes(i);
                        }
                        if (!target.write(bytes, frameId)) {
                            break outer;
                        }
                        progress.published(target.frameBytes());
                    }
                }
                progress.passes++;
                reader.close();
                reader = null;
                if (!options.loop() || stopRequested.getAsBoolean()) {
                    break;
                }
            }
            failed = false;
            ReplayStats stats = progress.stats(false);
            if (options.progress() != null) {
                options.progress().accept(stats);
            }
            return stats;
        } catch (TensorFileException e) {
            if (!Thread.currentThread().isInterrupted()) {
                throw e;
            }
            // An interrupt closed the file's channel under a read (NIO does that): it is the interrupt.
            interrupted = true;
            failed = false;
            return progress.stats(true);
        } catch (InterruptedException | StreamInterruptedException e) {
            interrupted = true;
            failed = false;
            return progress.stats(true);
        } finally {
            if (reader != null) {
                reader.close();
            }
            if (row != null) {
                row.close();
            }
            if (target != null) {
                target.close(failed && progress.passes == 0);
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Frames and skipped rows so far, and the progress callback's clock. */
    private final class Progress {
        final long start;
        long frames;
        long skipped;
        long passes;
        long bytes;
        long next;

        Progress(long start) {
            this.start = start;
            this.next = start + options.progressInterval().toNanos();
        }

        void published(long frameBytes) {
            frames++;
            bytes += frameBytes;
            if (options.progress() != null && System.nanoTime() - next >= 0) {
                options.progress().accept(stats(false));
                next = System.nanoTime() + options.progressInterval().toNanos();
            }
        }

        ReplayStats stats(boolean interrupted) {
            return new ReplayStats(frames, skipped, bytes, passes, System.nanoTime() - start, interrupted);
        }
    }

    static boolean sameLayout(ArrowTensorTypes.StreamLayout a, ArrowTensorTypes.StreamLayout b) {
        return a.dtype() == b.dtype() && Arrays.equals(a.shape(), b.shape());
    }
}

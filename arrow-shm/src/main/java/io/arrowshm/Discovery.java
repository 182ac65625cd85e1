package io.arrowshm;

import io.arrowshm.internal.format.Metadata;
import io.arrowshm.internal.format.MetadataLayout;
import io.arrowshm.internal.format.StreamDescriptor;
import io.arrowshm.internal.format.StreamNames;
import io.arrowshm.internal.posix.Mapping;
import io.arrowshm.internal.posix.Processes;
import io.arrowshm.internal.posix.Segments;
import io.arrowshm.internal.stream.HeaderWords;
import io.arrowshm.internal.stream.Lifecycle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Finding streams in /dev/shm with pyshmem's rules (spec §7.1): a candidate is a
 * {@code ps_<14 hex>} data segment whose metadata segment holds at least 512 bytes, a name
 * that hashes back to the segment, and a header that validates. Nothing else is touched, so
 * foreign files that merely look similar survive a purge, and a FIFO, link or another user's
 * file at a segment name is skipped without being opened in a way that could block.
 */
final class Discovery {
    /** PyTorch's CUDA IPC reference-count files: {@code cuda.shm.<id>.<pid hex>.<seq>}. */
    private static final String CUDA_IPC_PREFIX = "cuda.shm.";

    private Discovery() {
    }

    static StreamInfo stat(String name) {
        StreamNames names = StreamNames.of(name);
        try (Mapping metadata = Segments.open(names.metaSegment(), false)) {
            if (metadata == null) {
                throw Lifecycle.missing(name);
            }
            StreamDescriptor d = Lifecycle.validated(name, metadata);
            HeaderWords words = HeaderWords.over(metadata, d.version());
            return new StreamInfo(name, d.shape(), d.dtype(), d.size(), d.gpuEnabled(),
                    d.gpuEnabled() ? Optional.of("cuda:" + d.deviceIndex()) : Optional.empty(), d.cpuMirror(),
                    d.notifyFlag(),
                    d.instanceId() == null ? Optional.empty() : Optional.of(HexFormat.of().formatHex(d.instanceId())),
                    d.creatorPid(), Processes.isAlive(d.creatorPid()), words.count(), words.sequenceAcquire(),
                    words.writeTime(), d.version());
        }
    }

    /** Sorted user names of every valid stream. */
    static List<String> list() {
        List<String> names = new ArrayList<>();
        for (String base : candidateBases()) {
            validatedName(base).ifPresent(names::add);
        }
        names.sort(MultiLock.CODE_POINT_ORDER);
        return names;
    }

    /** Unlinks every valid stream (and, if asked, PyTorch IPC files of dead producers); returns the names removed. */
    static List<String> purge(boolean includeCudaOrphans) {
        List<String> removed = list();
        for (String name : removed) {
            try {
                Lifecycle.unlink(StreamNames.of(name), null);
            } catch (UntrustedFileException foreign) {
                // the stream's own files are gone; a stranger's file at one of its names is left alone
            }
        }
        if (includeCudaOrphans) {
            removeCudaOrphans();
        }
        return removed;
    }

    /** The stored name, when the metadata proves that {@code base} is a pyshmem stream. */
    static Optional<String> validatedName(String base) {
        try (Mapping metadata = Segments.open(base + StreamNames.META_SUFFIX, false)) {
            if (metadata == null || metadata.length() < MetadataLayout.TOTAL_LENGTH) {
                return Optional.empty();
            }
            String stored = Metadata.storedName(Lifecycle.snapshot(metadata), metadata.length());
            if (stored == null || !StreamNames.baseOf(stored).equals(base)) {
                return Optional.empty();
            }
            Lifecycle.validated(stored, metadata);
            return Optional.of(stored);
        } catch (SharedMemoryException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static List<String> candidateBases() {
        List<String> bases = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(Segments.SHM_DIR, StreamNames.SEGMENT_PREFIX + "*")) {
            for (Path file : files) {
                String fileName = file.getFileName().toString();
                if (StreamNames.isSegmentBase(fileName)) {
                    bases.add(fileName);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + Segments.SHM_DIR, e);
        }
        return bases;
    }

    private static void removeCudaOrphans() {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(Segments.SHM_DIR, CUDA_IPC_PREFIX + "*")) {
            for (Path file : files) {
                String[] fields = file.getFileName().toString().split("\\.");
                if (fields.length < 4) {
                    continue;
                }
                try {
                    long producer = Long.parseLong(fields[fields.length - 2], 16);
                    if (!Processes.isAlive(producer)) {
                        Files.deleteIfExists(file);
                    }
                } catch (NumberFormatException | IOException ignored) {
                    // not torch's naming, or already gone: leave it
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + Segments.SHM_DIR, e);
        }
    }
}

package io.arrowshm.internal.posix;

/**
 * Advice for large private buffers, such as the copies {@code read()} returns. A fresh
 * 400 MB buffer costs about 100,000 page faults when first written, which made a read of a
 * 10000×10000 float32 frame eight times slower than copying into a reused buffer; asking for
 * transparent huge pages (as NumPy does for large arrays) cuts that to a few hundred. One
 * syscall, only for buffers of {@link #THRESHOLD_BYTES} and more; refusals are ignored.
 */
public final class HugePages {
    /** Smaller buffers gain nothing worth a syscall. */
    public static final long THRESHOLD_BYTES = 4L << 20;
    private static final long HUGE_PAGE = 2L << 20;

    private HugePages() {
    }

    /** Advises huge pages for the 2 MiB-aligned interior of {@code [address, address + length)}. */
    public static void advise(long address, long length) {
        if (length < THRESHOLD_BYTES) {
            return;
        }
        long start = (address + HUGE_PAGE - 1) & -HUGE_PAGE;
        long end = (address + length) & -HUGE_PAGE;
        if (end > start) {
            LibC.madvise(start, end - start, LibC.MADV_HUGEPAGE);
        }
    }
}

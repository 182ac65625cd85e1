package io.arrowshm.gpu;

import io.arrowshm.gpu.InvalidGpuHandleException.Kind;

/**
 * Where a payload is, checked against the device allocation it belongs to. A {@code _gpu}
 * segment is input (any process of the user can plant one), and its payload offset is added to
 * a real base pointer; without this check a record could aim the core's copies at other device
 * memory of this process. Pure arithmetic on unsigned 64-bit addresses, overflow-safe, so it
 * is tested without a device.
 *
 * <pre>{@code
 * long payload = AllocationBounds.payloadPointer("frames", base, allocatedBytes, base, offset, size,
 *         "the allocation this process made");
 * }</pre>
 */
final class AllocationBounds {
    private AllocationBounds() {
    }

    /**
     * The pointer {@code base + offset}, when the {@code bytes} from there lie inside the
     * allocation {@code [rangeBase, rangeBase + rangeBytes)}.
     *
     * @param rangeBase first byte of the allocation
     * @param rangeBytes bytes of the allocation
     * @param base the pointer the record's offset is added to (the mapped or allocated base)
     * @param offset the record's payload offset
     * @param bytes the bytes the core will copy (the stream's payload size)
     * @param range what the range is, for the message (e.g. "the driver's cuMemGetAddressRange")
     * @throws InvalidGpuHandleException {@link Kind#OUTSIDE_ALLOCATION} naming both ranges
     */
    static long payloadPointer(String stream, long rangeBase, long rangeBytes, long base, long offset, long bytes,
                               String range) {
        String problem = problem(rangeBase, rangeBytes, base, offset, bytes);
        if (problem != null) {
            throw new InvalidGpuHandleException(Kind.OUTSIDE_ALLOCATION, "the _gpu segment of '" + stream + "' puts "
                    + bytes + " payload bytes at offset " + offset + " from 0x" + Long.toHexString(base) + ", outside "
                    + range + " (" + rangeBytes + " bytes at 0x" + Long.toHexString(rangeBase) + "): " + problem
                    + "; the segment does not describe this allocation (planted or damaged): recreate the stream");
        }
        return base + offset;
    }

    /** Why the payload is not inside the range, or null when it is. */
    static String problem(long rangeBase, long rangeBytes, long base, long offset, long bytes) {
        if (rangeBytes <= 0) {
            return "the allocation is empty";
        }
        if (offset < 0) {
            return "the offset is negative";
        }
        if (bytes <= 0) {
            return "the payload is empty";
        }
        if (Long.compareUnsigned(base, rangeBase) < 0) {
            return "the base lies before the allocation";
        }
        long room = rangeBytes;
        long lead = base - rangeBase;          // unsigned distance, base >= rangeBase
        if (Long.compareUnsigned(lead, room) >= 0) {
            return "the base lies past the allocation";
        }
        room -= lead;
        if (offset >= room) {
            return "the offset lies past the allocation's end";
        }
        room -= offset;
        if (bytes > room) {
            return "the payload ends " + (bytes - room) + " bytes past the allocation's end";
        }
        return null;
    }
}

package io.arrowshm.flight;

import java.util.Optional;

/**
 * Where a {@link RingMirror} stands.
 *
 * <pre>{@code
 * RingMirrorStats s = mirror.stats();
 * System.out.println(s.frames() + " frames, lost " + s.lost() + ", at remote position " + s.remotePosition());
 * }</pre>
 *
 * @param connected receiving from the server now
 * @param frames frames written into the local ring
 * @param bytes payload bytes written
 * @param lost frames the server said this mirror will never get (overwritten remotely, or outside its window)
 * @param remotePosition the remote position of the last frame written locally, -1 before the first
 * @param connects successful connections (the first one included)
 * @param lastError why the last connection ended or failed, if one did
 * @param failed the mirror stopped for good (see {@link RingMirror#failure()})
 */
public record RingMirrorStats(boolean connected, long frames, long bytes, long lost, long remotePosition, long connects,
                              Optional<String> lastError, boolean failed) {
    /** Connections after the first. */
    public long reconnects() {
        return Math.max(0, connects - 1);
    }
}

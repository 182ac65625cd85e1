package io.arrowshm.flight;

import java.util.Optional;

/**
 * Where a {@link StreamMirror} stands.
 *
 * <pre>{@code
 * MirrorStats s = mirror.stats();
 * System.out.println(s.connected() + " " + s.frames() + " frames, " + s.reconnects() + " reconnects");
 * }</pre>
 *
 * @param connected receiving from the server now
 * @param frames rows published into the local stream
 * @param bytes payload bytes published
 * @param connects successful connections (the first one included)
 * @param lastError why the last connection ended or failed, if one did
 * @param failed the mirror stopped for good (see {@link StreamMirror#failure()})
 */
public record MirrorStats(boolean connected, long frames, long bytes, long connects, Optional<String> lastError,
                          boolean failed) {
    /** Connections after the first. */
    public long reconnects() {
        return Math.max(0, connects - 1);
    }
}

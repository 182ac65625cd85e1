package io.arrowshm.flight;

/**
 * Totals since a {@link StreamFlightServer} started: live {@code DoGet} clients now, and rows and
 * bytes (tensor payload) sent and received. Subtract two of them for a rate.
 *
 * <pre>{@code
 * FlightServerStats before = server.stats();
 * Thread.sleep(1000);
 * FlightServerStats now = server.stats();
 * System.out.println(now.clients() + " clients, " + (now.framesSent() - before.framesSent()) + " frames/s");
 * }</pre>
 *
 * @param clients {@code DoGet} calls being served now
 * @param framesSent rows sent by {@code DoGet}
 * @param bytesSent tensor payload bytes sent by {@code DoGet}
 * @param framesReceived rows published from {@code DoPut}
 * @param bytesReceived tensor payload bytes published from {@code DoPut}
 * @param bufferedBytes Arrow memory the server holds now: rows being sent ({@code frameBytes}) and
 *     received
 * @param frameBytes memory the {@code DoGet}s send from now: each stream's latest snapshot, the
 *     rows gRPC has not written yet (a client that is behind holds its queue's worth) and rings'
 *     batches being sent; bounded by
 *     {@link ServeOptions#maxSendBytes(long)}, however slow the clients are
 * @param snapshots publications copied out of shared memory whose memory is still held
 * @param snapshotsMade publications copied out of shared memory since start: at most one per
 *     publication of a stream, however many clients read it
 */
public record FlightServerStats(int clients, long framesSent, long bytesSent, long framesReceived, long bytesReceived,
                                long bufferedBytes, long frameBytes, int snapshots, long snapshotsMade) {
}

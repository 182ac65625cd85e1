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
 * @param bufferedBytes Arrow memory the server holds now (rows being sent or received): bounded by
 *     one row per client, however slow the clients are
 */
public record FlightServerStats(int clients, long framesSent, long bytesSent, long framesReceived, long bytesReceived,
                                long bufferedBytes) {
}

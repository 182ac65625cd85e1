package io.arrowshm.flight;

import java.net.URI;
import java.net.URISyntaxException;
import org.apache.arrow.flight.Location;

/**
 * A remote stream: {@code grpc://HOST:PORT/NAME} (plaintext) or {@code grpc+tls://HOST:PORT/NAME}.
 *
 * <pre>{@code
 * FlightSource source = FlightSource.parse("grpc://10.0.0.5:8815/frames");
 * }</pre>
 *
 * @param location the server
 * @param stream the stream name on that server
 */
public record FlightSource(Location location, String stream) {
    /**
     * Parses {@code grpc://HOST:PORT/NAME} or {@code grpc+tls://HOST:PORT/NAME}.
     *
     * @throws IllegalArgumentException when the text is not such an address
     */
    public static FlightSource parse(String text) {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not an address: " + text + " (expected grpc://HOST:PORT/NAME)", e);
        }
        String scheme = uri.getScheme();
        if (!"grpc".equals(scheme) && !"grpc+tcp".equals(scheme) && !"grpc+tls".equals(scheme)) {
            throw new IllegalArgumentException("expected grpc://HOST:PORT/NAME or grpc+tls://HOST:PORT/NAME, got " + text);
        }
        if (uri.getHost() == null || uri.getPort() < 0) {
            throw new IllegalArgumentException("the address needs a host and a port: " + text);
        }
        String path = uri.getPath() == null ? "" : uri.getPath();
        String stream = path.startsWith("/") ? path.substring(1) : path;
        if (stream.isEmpty()) {
            throw new IllegalArgumentException("the address needs a stream name after the port: " + text);
        }
        Location location = scheme.equals("grpc+tls") ? Location.forGrpcTls(uri.getHost(), uri.getPort())
                : Location.forGrpcInsecure(uri.getHost(), uri.getPort());
        return new FlightSource(location, stream);
    }

    @Override
    public String toString() {
        return location.getUri() + "/" + stream;
    }
}

package io.arrowshm.flight;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Safe by default: plaintext only on a loopback address. Any other address (a LAN address,
 * {@code 0.0.0.0}) needs TLS or an explicit {@code insecure}, since anyone reaching the port
 * could read every exposed stream and publish into it.
 */
final class BindPolicy {
    private BindPolicy() {
    }

    static void check(ServeOptions options) {
        if (options.tls() || options.insecure()) {
            return;
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(options.host());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("cannot resolve host '" + options.host() + "'", e);
        }
        for (InetAddress address : addresses) {
            if (!address.isLoopbackAddress()) {
                throw new IllegalArgumentException("listening on " + options.host() + " (not loopback) needs TLS"
                        + " (--tls-cert F --tls-key F) or an explicit --insecure");
            }
        }
    }
}

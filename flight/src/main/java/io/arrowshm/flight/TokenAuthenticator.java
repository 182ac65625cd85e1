package io.arrowshm.flight;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.apache.arrow.flight.CallHeaders;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.auth2.CallHeaderAuthenticator;

/**
 * Accepts a call only with the header {@code authorization: Bearer <token>} carrying the server's
 * token (what {@code pyarrow.flight.FlightCallOptions(headers=[(b"authorization", b"Bearer " + token)])}
 * and Flight Java's {@code BearerCredentialWriter} send). Compared in constant time.
 */
final class TokenAuthenticator implements CallHeaderAuthenticator {
    private static final String PREFIX = "Bearer ";
    private final byte[] token;

    TokenAuthenticator(String token) {
        if (token.isEmpty()) {
            throw new IllegalArgumentException("the token is empty");
        }
        this.token = token.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public AuthResult authenticate(CallHeaders incomingHeaders) {
        String header = incomingHeaders.get("authorization");
        if (header == null || !header.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
            throw CallStatus.UNAUTHENTICATED.withDescription("this server needs the header 'authorization: Bearer <token>'")
                    .toRuntimeException();
        }
        byte[] offered = header.substring(PREFIX.length()).strip().getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(offered, token)) {
            throw CallStatus.UNAUTHENTICATED.withDescription("wrong bearer token").toRuntimeException();
        }
        return () -> "token";
    }
}

package dev.duplex.client;

/**
 * Supplies connection tokens (JWTs). The client calls it on every connection attempt (so a
 * reconnect after the hub's 3004 "token expired" uses a fresh token) and before the current token
 * expires (to send {@code refresh}). Called on a client thread where blocking is fine, for example
 * for an HTTP call to the application's backend; a call that takes longer than the command timeout
 * counts as a failure.
 */
@FunctionalInterface
public interface TokenProvider {

    /**
     * Returns a token, or null to connect anonymously (where the hub allows it).
     *
     * @throws Exception when no token can be had now: the attempt fails and the client retries with
     *     back-off (a failed refresh is retried until the token expires)
     */
    String token() throws Exception;
}

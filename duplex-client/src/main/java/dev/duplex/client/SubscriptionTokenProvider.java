package dev.duplex.client;

/**
 * Supplies subscription tokens for channels in namespaces that require one
 * ({@code subscribe: token}). Called on a client thread where blocking is fine, before every
 * subscribe of the channel, including the resubscribe after each reconnect.
 */
@FunctionalInterface
public interface SubscriptionTokenProvider {

    /**
     * Returns a token whose {@code channel} claim names {@code channel}.
     *
     * @throws Exception when no token can be had: the subscription reports it to
     *     {@link SubscriptionListener#onError} and the client retries with back-off
     */
    String token(String channel) throws Exception;
}

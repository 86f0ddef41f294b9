package dev.duplex.client;

import dev.duplex.hub.protocol.StreamPosition;

/**
 * How to subscribe to a channel, beyond its name.
 *
 * @param since recover from this position on the first subscribe (e.g. one the application stored
 *     with its state); null to start at the stream's current position
 * @param token the provider of subscription tokens for namespaces that need one; null for none
 */
public record SubscriptionOptions(StreamPosition since, SubscriptionTokenProvider token) {

    private static final SubscriptionOptions DEFAULTS = new SubscriptionOptions(null, null);

    /** No recovery position, no token. */
    public static SubscriptionOptions defaults() {
        return DEFAULTS;
    }

    /** A copy that recovers from {@code position} on the first subscribe. */
    public SubscriptionOptions withSince(StreamPosition position) {
        return new SubscriptionOptions(position, token);
    }

    /** A copy that fetches a subscription token from {@code provider} before every subscribe. */
    public SubscriptionOptions withToken(SubscriptionTokenProvider provider) {
        return new SubscriptionOptions(since, provider);
    }
}

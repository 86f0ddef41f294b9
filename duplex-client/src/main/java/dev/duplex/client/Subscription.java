package dev.duplex.client;

import dev.duplex.hub.protocol.StreamPosition;
import java.util.concurrent.CompletableFuture;

/**
 * A client's subscription to one channel, from {@link DuplexClient#subscribe}. It lasts across
 * reconnects: after each one the client resubscribes from {@link #position()} and delivers what was
 * missed, each publication exactly once. Thread safe.
 */
public interface Subscription {

    /** The channel name. */
    String channel();

    /** Where the subscription stands. */
    SubscriptionState state();

    /**
     * The position of the last publication delivered to the listener (or, before any, the stream
     * position of the last {@code subscribed}); null until the first {@code subscribed}. Store it with
     * the application's state to resume later with {@link SubscriptionOptions#withSince}.
     */
    StreamPosition position();

    /** Ends the subscription; no listener call follows. Does nothing if it has ended already. */
    void unsubscribe();

    /** Shorthand for {@code client.publish(channel(), data)}. */
    CompletableFuture<PublishResult> publish(Object data);
}

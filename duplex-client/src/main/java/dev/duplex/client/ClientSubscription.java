package dev.duplex.client;

import dev.duplex.hub.protocol.Publication;
import dev.duplex.hub.protocol.StreamPosition;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A {@link Subscription}. The application reads views: the loop publishes {@link #state()}, the
 * callback thread {@link #position()} (so that it matches what the listener has seen), and
 * {@link #unsubscribe()} sets {@code cancelled} from any thread, which silences the listener at
 * once, also for calls already queued. Every other field belongs to the loop ({@link Subscriptions}).
 */
final class ClientSubscription implements Subscription {
    final String channel;
    final SubscriptionListener listener;
    final SubscriptionTokenProvider tokenProvider;
    private final Subscriptions owner;
    private final DuplexClient client;

    // Views.
    volatile SubscriptionState state = SubscriptionState.SUBSCRIBING;
    volatile StreamPosition position;
    volatile boolean cancelled;

    // The loop's.
    /** Where the stream stands and what is new: the {@code since} of every resubscribe. */
    final StreamTracker tracker;
    /** Publications that arrived before the {@code subscribed} reply; the reply decides which are new. */
    final List<Publication> buffered = new ArrayList<>();
    /** The connection the current (re)subscribe went out on, or null. */
    Connection requestedOn;
    /** The connection whose {@code connected} could not resume it (an {@code unsubscribed} push about it follows). */
    Connection resumeRefusedOn;
    /** The {@code since} of the subscribe now waiting for its reply. */
    StreamPosition askedSince;
    /** Transient errors in a row, for the retry's back-off. */
    int failures;
    Loop.Timer retry;

    ClientSubscription(Subscriptions owner, DuplexClient client, String channel, SubscriptionListener listener,
            SubscriptionOptions options) {
        this.owner = owner;
        this.client = client;
        this.channel = channel;
        this.listener = listener;
        this.tokenProvider = options.token();
        this.tracker = new StreamTracker(options.since());
        this.position = options.since();
    }

    @Override
    public String channel() {
        return channel;
    }

    @Override
    public SubscriptionState state() {
        return cancelled ? SubscriptionState.UNSUBSCRIBED : state;
    }

    @Override
    public StreamPosition position() {
        return position;
    }

    @Override
    public void unsubscribe() {
        owner.unsubscribe(this);
    }

    @Override
    public CompletableFuture<PublishResult> publish(Object data) {
        return client.publish(channel, data);
    }

    /** Stops a pending retry (loop). */
    void stopRetry() {
        Loop.cancel(retry);
        retry = null;
    }

    @Override
    public String toString() {
        return "Subscription[" + channel + ", " + state() + ", " + position + "]";
    }
}

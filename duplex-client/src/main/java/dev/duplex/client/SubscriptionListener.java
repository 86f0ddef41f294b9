package dev.duplex.client;

import dev.duplex.hub.protocol.ClientInfo;
import dev.duplex.hub.protocol.Publication;
import dev.duplex.hub.protocol.StreamPosition;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * What happens on a {@link Subscription}. Every method has an empty default. The calls of one
 * client arrive one at a time, in order, on its callback executor (never on a network thread): a
 * slow listener delays the client's other callbacks but not its networking.
 */
public interface SubscriptionListener {

    /**
     * The hub answered the subscribe (the first one, or the resubscribe after a reconnect). Recovered
     * publications follow at {@link #onPublication}.
     *
     * @param recovered true when the client asked to recover from a position and every publication
     *     after it is on its way; false for a first subscribe, or when recovery failed (then
     *     {@link #onUnrecoverable} came first)
     * @param position the position (epoch and offset) the reply brings the subscription to: the
     *     stream's top, or, when the missed publications did not fit in one reply, the last one it
     *     carried (the hub sends the rest as publications, before anything live)
     */
    default void onSubscribed(Subscription subscription, boolean recovered, StreamPosition position) {
    }

    /** A publication, exactly once and in offset order, whether it arrived live or was recovered. */
    default void onPublication(Subscription subscription, Publication publication) {
    }

    /** Someone subscribed to the channel (namespaces with join/leave on). */
    default void onJoin(Subscription subscription, ClientInfo info) {
    }

    /** Someone left the channel (namespaces with join/leave on). */
    default void onLeave(Subscription subscription, ClientInfo info) {
    }

    /**
     * Publications were missed and cannot be recovered: the stream restarted under a new epoch, or the
     * missed ones left the history window. Reload the state this channel feeds (e.g. from the
     * application's database); delivery continues from {@code position}.
     */
    default void onUnrecoverable(Subscription subscription, StreamPosition position) {
    }

    /** The hub ended the subscription ({@code unsubscribed} push); the client does not resubscribe. */
    default void onUnsubscribed(Subscription subscription, String reason) {
    }

    /**
     * Subscribing failed. A {@link HubErrorException} carries the hub's {@link dev.duplex.hub.protocol.ErrorCode};
     * after a transient one (internal, too many requests, token expired, broker unavailable) or a failed token provider the
     * client tries again with back-off, after the others the subscription is
     * {@link SubscriptionState#UNSUBSCRIBED}.
     */
    default void onError(Subscription subscription, DuplexClientException error) {
    }

    /** A listener for publications only, e.g. {@code SubscriptionListener.forPublications((sub, pub) -> ...)}. */
    static SubscriptionListener forPublications(BiConsumer<Subscription, Publication> onPublication) {
        Objects.requireNonNull(onPublication, "onPublication");
        return new SubscriptionListener() {
            @Override
            public void onPublication(Subscription subscription, Publication publication) {
                onPublication.accept(subscription, publication);
            }
        };
    }
}

package dev.duplex.client;

/** Where a {@link Subscription} stands. */
public enum SubscriptionState {
    /** Waiting for the hub's {@code subscribed}: before the first one, and again after every disconnect until the resubscribe is answered. */
    SUBSCRIBING,
    /** Publications flow. */
    SUBSCRIBED,
    /** Ended: by {@link Subscription#unsubscribe()}, by the hub, by an error the hub will keep answering, or by {@link DuplexClient#close()}. */
    UNSUBSCRIBED
}

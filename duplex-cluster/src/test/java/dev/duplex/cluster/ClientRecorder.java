package dev.duplex.cluster;

import dev.duplex.client.DuplexClientException;
import dev.duplex.client.StateEvent;
import dev.duplex.client.StateListener;
import dev.duplex.client.Subscription;
import dev.duplex.client.SubscriptionListener;
import dev.duplex.hub.protocol.Publication;
import dev.duplex.hub.protocol.StreamPosition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/** What a {@code DuplexClient} tells its listeners, kept in order, and bounded waits for it. */
final class ClientRecorder implements SubscriptionListener, StateListener {
    private final List<StateEvent> states = new ArrayList<>();
    private final Map<String, List<Publication>> publications = new LinkedHashMap<>();
    private final Map<String, List<Subscribed>> subscribed = new LinkedHashMap<>();
    private final List<String> problems = new ArrayList<>();

    @Override
    public synchronized void onStateChange(StateEvent event) {
        states.add(event);
        notifyAll();
    }

    @Override
    public synchronized void onSubscribed(Subscription subscription, boolean recovered, StreamPosition position) {
        subscribed.computeIfAbsent(subscription.channel(), c -> new ArrayList<>()).add(new Subscribed(recovered, position));
        notifyAll();
    }

    @Override
    public synchronized void onPublication(Subscription subscription, Publication publication) {
        publications.computeIfAbsent(subscription.channel(), c -> new ArrayList<>()).add(publication);
        notifyAll();
    }

    @Override
    public synchronized void onUnrecoverable(Subscription subscription, StreamPosition position) {
        problems.add("unrecoverable " + subscription.channel() + " at " + position);
        notifyAll();
    }

    @Override
    public synchronized void onUnsubscribed(Subscription subscription, String reason) {
        problems.add("unsubscribed from " + subscription.channel() + ": " + reason);
        notifyAll();
    }

    @Override
    public synchronized void onError(Subscription subscription, DuplexClientException error) {
        problems.add("error on " + subscription.channel() + ": " + error);
        notifyAll();
    }

    synchronized List<StateEvent> states() {
        return List.copyOf(states);
    }

    synchronized List<Publication> publications(String channel) {
        return List.copyOf(publications.getOrDefault(channel, List.of()));
    }

    /** An {@code onSubscribed} call. */
    record Subscribed(boolean recovered, StreamPosition position) {
    }

    /** The {@code onSubscribed} calls of {@code channel}, in order. */
    synchronized List<Subscribed> subscribed(String channel) {
        return List.copyOf(subscribed.getOrDefault(channel, List.of()));
    }

    /** Unrecoverable gaps, ended subscriptions and subscription errors, in order. */
    synchronized List<String> problems() {
        return List.copyOf(problems);
    }

    /** Waits until {@code condition} holds; fails after {@link ClusterFixture#WAIT}. */
    synchronized void await(String what, BooleanSupplier condition) throws InterruptedException {
        Waits.onMonitor(this, ClusterFixture.WAIT, condition, () -> what + "; states " + states + ", problems " + problems);
    }
}

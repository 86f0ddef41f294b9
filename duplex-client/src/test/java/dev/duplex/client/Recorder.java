package dev.duplex.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.hub.protocol.ClientInfo;
import dev.duplex.hub.protocol.Publication;
import dev.duplex.hub.protocol.StreamPosition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/** Records what a client tells its listeners, and waits (boundedly) for it. */
final class Recorder implements SubscriptionListener, StateListener {
    final List<Publication> publications = new ArrayList<>();
    final List<StateEvent> states = new CopyOnWriteArrayList<>();
    final List<Boolean> subscribed = new CopyOnWriteArrayList<>();
    final List<StreamPosition> subscribedPositions = new CopyOnWriteArrayList<>();
    final List<StreamPosition> unrecoverable = new CopyOnWriteArrayList<>();
    final List<DuplexClientException> errors = new CopyOnWriteArrayList<>();
    final List<String> unsubscribed = new CopyOnWriteArrayList<>();
    final List<ClientInfo> joins = new CopyOnWriteArrayList<>();
    final Set<String> threads = ConcurrentHashMap.newKeySet();
    final List<Long> stateTimes = new CopyOnWriteArrayList<>();

    @Override
    public synchronized void onStateChange(StateEvent event) {
        threads.add(Thread.currentThread().getName());
        states.add(event);
        stateTimes.add(System.nanoTime());
        notifyAll();
    }

    @Override
    public synchronized void onSubscribed(Subscription subscription, boolean recovered, StreamPosition position) {
        threads.add(Thread.currentThread().getName());
        subscribed.add(recovered);
        subscribedPositions.add(position);
        notifyAll();
    }

    @Override
    public synchronized void onPublication(Subscription subscription, Publication publication) {
        threads.add(Thread.currentThread().getName());
        publications.add(publication);
        notifyAll();
    }

    @Override
    public synchronized void onJoin(Subscription subscription, ClientInfo info) {
        joins.add(info);
        notifyAll();
    }

    @Override
    public synchronized void onUnrecoverable(Subscription subscription, StreamPosition position) {
        unrecoverable.add(position);
        notifyAll();
    }

    @Override
    public synchronized void onUnsubscribed(Subscription subscription, String reason) {
        unsubscribed.add(reason);
        notifyAll();
    }

    @Override
    public synchronized void onError(Subscription subscription, DuplexClientException error) {
        errors.add(error);
        notifyAll();
    }

    synchronized List<Publication> publications() {
        return new ArrayList<>(publications);
    }

    /** Waits until {@code condition} holds; fails the test after {@code timeout}. */
    synchronized void await(String what, Duration timeout, java.util.function.BooleanSupplier condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("Timed out after " + timeout.toMillis() + " ms waiting for " + what
                        + "; states " + states + ", " + publications.size() + " publications, errors " + errors);
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    void awaitPublications(int count, Duration timeout) throws InterruptedException {
        await(count + " publications", timeout, () -> publications.size() >= count);
    }

    /** Waits for a state event at index {@code from} or later matching {@code match}; returns its index. */
    int awaitState(int from, Predicate<StateEvent> match, Duration timeout) throws InterruptedException {
        int[] found = {-1};
        await("a state event matching the test's condition after #" + from, timeout, () -> {
            for (int i = from; i < states.size(); i++) {
                if (match.test(states.get(i))) {
                    found[0] = i;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    int awaitOpen(int from, Duration timeout) throws InterruptedException {
        return awaitState(from, e -> e.state() == ConnectionState.OPEN, timeout);
    }

    long countStates(Predicate<StateEvent> match) {
        return states.stream().filter(match).count();
    }

    /** Every callback ran on the client's callback thread, never on a network thread. */
    void assertCallbackThreadsOnly() {
        assertThat(threads).isNotEmpty().allMatch(name -> name.startsWith("duplex-client-") && name.endsWith("-callbacks"),
                "the client's callback thread");
    }
}

package dev.duplex.cluster;

import dev.duplex.client.DuplexClient;
import dev.duplex.client.PublishResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Publishes through a {@link DuplexClient}, on a thread of its own, in rounds: round {@code r} is one
 * publication {@code {"round": r, "channel": C}} to every channel, and the next round starts once
 * every ack of this one arrived. So each channel's publications are sequential and round {@code r}
 * must get offset {@code r}. The test lets it go as far as {@link #allow} says, so publications keep
 * flowing while the test does something else, and it stops at {@code maxRounds}.
 */
final class RoundPublisher implements AutoCloseable {
    private final DuplexClient client;
    private final List<String> channels;
    private final int maxRounds;
    private final Thread thread;
    /** Guarded by this. */
    private int allowed;
    private int acked;
    private boolean closed;
    private Throwable failure;
    private final Map<String, List<PublishResult>> acks = new LinkedHashMap<>();

    RoundPublisher(DuplexClient client, List<String> channels, int maxRounds) {
        this.client = client;
        this.channels = List.copyOf(channels);
        this.maxRounds = maxRounds;
        this.thread = new Thread(this::run, "round-publisher");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Lets the publisher go on up to round {@code rounds}. */
    synchronized void allow(int rounds) {
        allowed = Math.max(allowed, Math.min(rounds, maxRounds));
        notifyAll();
    }

    /** Waits until every publication of rounds up to {@code round} was acknowledged. */
    synchronized void awaitAcked(int round) throws InterruptedException {
        Waits.onMonitor(this, ClusterFixture.WAIT, () -> {
            if (acked < round && failure != null) {
                throw new AssertionError("Publishing failed after round " + acked, failure);
            }
            return acked >= round;
        }, () -> "round " + round + " to be acknowledged; acknowledged up to " + acked);
    }

    /** Rounds acknowledged so far. */
    synchronized int acked() {
        return acked;
    }

    /** Per channel, the ack of each round, in round order. */
    synchronized Map<String, List<PublishResult>> acks() {
        Map<String, List<PublishResult>> copy = new LinkedHashMap<>();
        acks.forEach((channel, list) -> copy.put(channel, List.copyOf(list)));
        return copy;
    }

    private void run() {
        try {
            for (int round = 1; round <= maxRounds; round++) {
                if (!awaitAllowed(round)) {
                    return;
                }
                List<CompletableFuture<PublishResult>> futures = new ArrayList<>();
                for (String channel : channels) {
                    futures.add(client.publish(channel, Map.of("round", round, "channel", channel)));
                }
                List<PublishResult> results = new ArrayList<>();
                for (CompletableFuture<PublishResult> f : futures) {
                    results.add(f.get(ClusterFixture.WAIT.toMillis(), TimeUnit.MILLISECONDS));
                }
                synchronized (this) {
                    for (PublishResult r : results) {
                        acks.computeIfAbsent(r.channel(), c -> new ArrayList<>()).add(r);
                    }
                    acked = round;
                    notifyAll();
                }
            }
        } catch (Throwable t) {
            synchronized (this) {
                failure = t;
                notifyAll();
            }
        }
    }

    /** Waits until {@code round} is allowed (true) or the publisher is closed (false). */
    private synchronized boolean awaitAllowed(int round) throws InterruptedException {
        Waits.onMonitor(this, ClusterFixture.WAIT, () -> round <= allowed || closed, () -> "round " + round + " to be allowed");
        return !closed;
    }

    /** Stops after the round under way, and waits for the thread to end. */
    @Override
    public void close() throws InterruptedException {
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        thread.join(ClusterFixture.WAIT.toMillis());
        if (thread.isAlive()) {
            thread.interrupt();
            thread.join(ClusterFixture.WAIT.toMillis());
        }
    }
}

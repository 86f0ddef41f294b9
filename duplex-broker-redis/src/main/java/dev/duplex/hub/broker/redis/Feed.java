package dev.duplex.hub.broker.redis;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

/**
 * One channel this node subscribed to: where it is in the channel's stream and what waits while a
 * position read is on its way. Confined to the delivery thread ({@link Feeds}).
 */
final class Feed {
    /** Messages kept while a position read is on its way; more are let go (the stream or a gap tells). */
    static final int MAX_PENDING = 10_000;

    final String channel;
    final String base;
    final byte[] pubsubChannel;
    final PubSubShard shard;
    /** Completes when the node's position in the channel is known: from then on it misses nothing silently. */
    final CompletableFuture<Void> ready = new CompletableFuture<>();
    final ArrayDeque<Message> pending = new ArrayDeque<>();

    /** The epoch and offset of the last publication delivered here; the epoch is null until positioned. */
    String epoch;
    long offset;
    /** A position read is on its way: messages wait in {@link #pending}. */
    boolean checking;
    /** Another check was asked for while one was on its way. */
    boolean checkAgain;
    /** Redis confirmed the first subscription; the next confirmations are resubscriptions. */
    boolean confirmed;
    boolean removed;
    /** For the periodic check: a message arrived since the last tick, and ticks since one did. */
    boolean activeSinceTick;
    int quietTicks;
    /** How long the channel's position outlives its last publication (from the subscriber's namespace); 0 unknown. */
    long metaTtlMillis;

    Feed(String channel, String base, byte[] pubsubChannel, PubSubShard shard) {
        this.channel = channel;
        this.base = base;
        this.pubsubChannel = pubsubChannel;
        this.shard = shard;
    }

    boolean positioned() {
        return epoch != null;
    }

    /** Whether {@code m} is the next publication of this feed. */
    boolean continuedBy(Message m) {
        if (m.epoch().equals(epoch)) {
            return m.offset() == offset + 1;
        }
        // A channel read before it had a stream: the stream's first publication continues it.
        return epoch.isEmpty() && offset == 0 && m.offset() == 1;
    }

    /** Whether {@code m} was delivered here already. */
    boolean alreadyHas(Message m) {
        return m.epoch().equals(epoch) && m.offset() <= offset;
    }

    void hold(Message m) {
        if (pending.size() < MAX_PENDING) {
            pending.addLast(m);
        }
    }

    /** A publication as it travels on the channel's pub/sub: its epoch, offset and stored entry. */
    record Message(String epoch, long offset, byte[] entry) {
    }
}

package dev.duplex.hub.session;

import dev.duplex.hub.SlowConsumerPolicy;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Objects;

/**
 * The messages of one connection waiting for room in its socket buffer, bounded in bytes. When a
 * publication does not fit, its namespace's {@link SlowConsumerPolicy} decides: refuse (the session
 * then disconnects the consumer), drop the oldest queued publications, or replace the queued
 * publication with the same channel and key. Replies are never dropped; past twice the limit even
 * they make the queue overflow. Not thread-safe: the session guards it.
 */
final class OutboundQueue {

    /** One queued message; {@code channel} is null for replies. */
    record Entry(EncodedMessage message, String channel, String key, SlowConsumerPolicy policy, long enqueuedNanos) {
        boolean droppable() {
            return channel != null && policy != SlowConsumerPolicy.DISCONNECT;
        }

        boolean sameKey(String otherChannel, String otherKey) {
            return channel != null && channel.equals(otherChannel) && Objects.equals(key, otherKey);
        }
    }

    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private final long limit;
    private long bytes;
    private long dropped;

    OutboundQueue(long limit) {
        this.limit = limit;
    }

    /**
     * Queues {@code entry} given {@code socketBytes} already in the socket buffer.
     *
     * @return false if the entry does not fit and the consumer must be disconnected
     */
    boolean offer(Entry entry, long socketBytes) {
        long size = entry.message().size();
        if (bytes + socketBytes + size > limit) {
            if (entry.channel() == null) {
                if (bytes + socketBytes + size > 2 * limit) {
                    return false;
                }
            } else if (entry.policy() == SlowConsumerPolicy.DISCONNECT) {
                return false;
            } else {
                if (entry.policy() == SlowConsumerPolicy.LATEST_PER_KEY) {
                    removeSameKey(entry.channel(), entry.key());
                }
                dropOldestUntil(limit - socketBytes - size);
                if (bytes + socketBytes + size > limit) {
                    return false; // the socket buffer alone holds the limit: the consumer reads nothing
                }
            }
        }
        entries.addLast(entry);
        bytes += size;
        return true;
    }

    private void removeSameKey(String channel, String key) {
        for (Iterator<Entry> it = entries.iterator(); it.hasNext(); ) {
            Entry e = it.next();
            if (e.sameKey(channel, key)) {
                it.remove();
                bytes -= e.message().size();
                dropped++;
                return;
            }
        }
    }

    private void dropOldestUntil(long target) {
        for (Iterator<Entry> it = entries.iterator(); it.hasNext() && bytes > target; ) {
            Entry e = it.next();
            if (e.droppable()) {
                it.remove();
                bytes -= e.message().size();
                dropped++;
            }
        }
    }

    Entry peek() {
        return entries.peekFirst();
    }

    Entry poll() {
        Entry e = entries.pollFirst();
        if (e != null) {
            bytes -= e.message().size();
        }
        return e;
    }

    boolean isEmpty() {
        return entries.isEmpty();
    }

    long bytes() {
        return bytes;
    }

    int size() {
        return entries.size();
    }

    /** Publications dropped by the drop-oldest and latest-per-key policies so far. */
    long dropped() {
        return dropped;
    }

    void clear() {
        entries.clear();
        bytes = 0;
    }
}

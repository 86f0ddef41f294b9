package dev.duplex.client;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The publishes that wait for their {@code ack}, keyed by client message id, in the order they were
 * published. Bounded: {@link #offer} refuses an entry when the outbox is full instead of growing
 * without limit while the client is offline. After a reconnect the client re-sends
 * {@link #inOrder()} with the same message ids, so the hub de-duplicates what it had already
 * published. Thread safe.
 *
 * @param <E> what the client keeps for each publish
 */
final class Outbox<E> {
    private final int capacity;
    private final LinkedHashMap<String, E> entries = new LinkedHashMap<>();

    Outbox(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("The outbox capacity must be positive: " + capacity);
        }
        this.capacity = capacity;
    }

    /**
     * Adds an entry at the end.
     *
     * @return false, adding nothing, when the outbox holds {@link #capacity()} entries already
     * @throws IllegalArgumentException when the message id is already in the outbox
     */
    synchronized boolean offer(String msgId, E entry) {
        if (entries.containsKey(msgId)) {
            throw new IllegalArgumentException("Message id already in the outbox: " + msgId);
        }
        if (entries.size() >= capacity) {
            return false;
        }
        entries.put(msgId, entry);
        return true;
    }

    /** Removes the entry of an acknowledged (or failed) publish; null if it is not (or no longer) here. */
    synchronized E remove(String msgId) {
        return entries.remove(msgId);
    }

    synchronized boolean contains(String msgId) {
        return entries.containsKey(msgId);
    }

    /** A snapshot of the entries, oldest first: the order to re-send them in. */
    synchronized List<E> inOrder() {
        return new ArrayList<>(entries.values());
    }

    /** Removes and returns every entry, oldest first. */
    synchronized List<E> drain() {
        List<E> all = new ArrayList<>(entries.values());
        entries.clear();
        return all;
    }

    synchronized int size() {
        return entries.size();
    }

    int capacity() {
        return capacity;
    }

    synchronized Map<String, E> snapshot() {
        return new LinkedHashMap<>(entries);
    }
}

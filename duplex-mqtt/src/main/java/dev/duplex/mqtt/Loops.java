package dev.duplex.mqtt;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Loop prevention, both ways. Sans-IO; thread-safe.
 *
 * <p>MQTT side: every message the bridge exports carries the MQTT 5 user property
 * {@value #ORIGIN_PROPERTY} with the bridge's origin id, and the bridge drops every incoming message
 * that carries its own origin ({@link #exportedByUs}). The bridge also subscribes with MQTT 5
 * "no local", so a broker does not even send a client its own messages; the property covers what
 * "no local" cannot: another bridge client with the same origin (a second connection, or a
 * restarted bridge) and brokers that bridge to each other. A property needs no memory and survives
 * reconnects, which remembering exported message identities would not.
 *
 * <p>Hub side: the hub's server-side API gives a listener no publisher identity for server
 * publications, so the bridge remembers what it imported and is about to see on the channel
 * ({@link #importing}): the listener that sees the same channel and the same data (compared as JSON text) first consumes
 * the entry instead of exporting it ({@link #wasImported}). At most {@link #maxPending} entries are
 * kept; a failed import forgets its entry ({@link #forget}). A hub client that publishes exactly the
 * same data on the same channel while an import of it is pending is the one ambiguity: one of the
 * two is not exported.
 */
public final class Loops {
    /** The MQTT 5 user property naming the bridge that exported a message. */
    public static final String ORIGIN_PROPERTY = "duplex-origin";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String origin;
    private final int maxPending;
    private final Map<String, Deque<String>> pending = new HashMap<>();
    private int size;

    public Loops(String origin, int maxPending) {
        if (origin == null || origin.isEmpty() || origin.length() > 128) {
            throw new IllegalArgumentException("origin must be 1–128 characters");
        }
        if (maxPending < 1) {
            throw new IllegalArgumentException("maxPending must be at least 1");
        }
        this.origin = origin;
        this.maxPending = maxPending;
    }

    public String origin() {
        return origin;
    }

    /** Whether an incoming MQTT message with this {@value #ORIGIN_PROPERTY} value (null if absent) was exported by us. */
    public boolean exportedByUs(String originProperty) {
        return origin.equals(originProperty);
    }

    /**
     * Remembers an import of {@code data} on {@code channel} before it is published to the hub; false
     * (nothing remembered) when {@link #maxPending} imports are already pending.
     */
    public synchronized boolean importing(String channel, JsonNode data) {
        if (size >= maxPending) {
            return false;
        }
        pending.computeIfAbsent(channel, c -> new ArrayDeque<>()).addLast(text(data));
        size++;
        return true;
    }

    /** Forgets one pending import of {@code data} on {@code channel} (its hub publish failed). */
    public synchronized void forget(String channel, JsonNode data) {
        consume(channel, data);
    }

    /** True (and the entry consumed) if a publication of {@code data} on {@code channel} is one of our imports. */
    public synchronized boolean wasImported(String channel, JsonNode data) {
        return consume(channel, data);
    }

    public synchronized int pending() {
        return size;
    }

    private boolean consume(String channel, JsonNode data) {
        Deque<String> queue = pending.get(channel);
        if (queue == null) {
            return false;
        }
        String text = text(data);
        for (Iterator<String> it = queue.iterator(); it.hasNext(); ) {
            if (it.next().equals(text)) {
                it.remove();
                size--;
                if (queue.isEmpty()) {
                    pending.remove(channel);
                }
                return true;
            }
        }
        return false;
    }

    /** Data compared as JSON text: binary is its base64 string there, as the hub's JSON form holds it. */
    private static String text(JsonNode data) {
        try {
            return JSON.writeValueAsString(data);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("data has no JSON text: " + e.getOriginalMessage(), e);
        }
    }
}

package dev.duplex.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.duplex.hub.protocol.Command;
import dev.duplex.hub.protocol.ServerMessage;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The publishes that wait for their {@code ack} (PROTOCOL.md, "Publishing without loss or
 * duplicates"), in the order they were published. Each gets a client message id (a random prefix
 * per client and a counter); after every {@code connected} the outbox is sent again, in order, with
 * the same ids, so the hub publishes each once and answers a repeat with {@code duplicate: true}.
 * Bounded: a publish that finds it full fails at once instead of growing memory while offline.
 *
 * <p>Threads: {@link #publish} and {@link #size()} are for any thread. The count of places is
 * atomic, so that a publish can be refused on the caller's thread; the entries themselves, the
 * sending and the replies belong to the loop.
 */
final class Outbox {
    private final Loop loop;
    private final CallbackExecutor callbacks;
    private final int capacity;
    private final long publishTimeoutMillis;
    private final String msgIdPrefix;
    private final AtomicLong msgCounter = new AtomicLong();
    /** Places taken: entries, and publishes on their way to the loop. Any thread. */
    private final AtomicInteger places = new AtomicInteger();

    // The loop's.
    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private Connection connection;
    private ClientClosedException closed;

    /** @param publishTimeoutMillis how long a publish may wait for its ack; 0 for ever */
    Outbox(Loop loop, CallbackExecutor callbacks, int capacity, long publishTimeoutMillis) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("The outbox capacity must be positive: " + capacity);
        }
        this.loop = loop;
        this.callbacks = callbacks;
        this.capacity = capacity;
        this.publishTimeoutMillis = publishTimeoutMillis;
        byte[] prefix = new byte[8];
        new SecureRandom().nextBytes(prefix);
        this.msgIdPrefix = HexFormat.of().formatHex(prefix);
    }

    /**
     * Takes a publish into the outbox, from any thread: it fails {@code future} at once when the
     * outbox is full or the client closed; otherwise the loop sends it (now if connected, else after
     * the next {@code connected}) and completes {@code future} with the ack.
     */
    void publish(String channel, JsonNode data, String key, CompletableFuture<PublishResult> future) {
        if (!reservePlace()) {
            future.completeExceptionally(new OutboxFullException(capacity));
            return;
        }
        Entry entry = new Entry(msgIdPrefix + "-" + msgCounter.incrementAndGet(), channel, data, key, future);
        if (!loop.execute(() -> add(entry))) {
            places.decrementAndGet();
            future.completeExceptionally(Errors.clientClosed());
        }
    }

    /** Publishes waiting for their ack, including those on their way to the loop. Any thread. */
    int size() {
        return places.get();
    }

    private boolean reservePlace() {
        while (true) {
            int taken = places.get();
            if (taken >= capacity) {
                return false;
            }
            if (places.compareAndSet(taken, taken + 1)) {
                return true;
            }
        }
    }

    private void add(Entry entry) {
        if (closed != null) {
            places.decrementAndGet();
            callbacks.fail(entry.future, closed);
            return;
        }
        entries.put(entry.msgId, entry);
        if (publishTimeoutMillis > 0) {
            entry.timeout = loop.schedule(publishTimeoutMillis, () -> {
                if (take(entry)) {
                    callbacks.fail(entry.future, new TimeoutException("No ack for the publish " + entry.msgId + " to \""
                            + entry.channel + "\" within " + publishTimeoutMillis + " ms (it may still have been published)"));
                }
            });
        }
        if (connection != null && connection.isOpen()) {
            send(connection, entry);
        }
    }

    /** {@code connected} arrived on {@code c}: send every waiting publish again, oldest first, with its id. */
    void onOpen(Connection c) {
        connection = c;
        for (Entry entry : entries.values()) {
            send(c, entry);
        }
    }

    /**
     * Fails every waiting publish with {@code why} (the client stopped). With {@code forGood} (the
     * client was closed) the publishes still on their way to the loop fail too.
     */
    void failAll(ClientClosedException why, boolean forGood) {
        if (forGood) {
            closed = why;
        }
        List<Entry> all = new ArrayList<>(entries.values());
        for (Entry entry : all) {
            take(entry);
            callbacks.fail(entry.future, why);
        }
    }

    private void send(Connection c, Entry entry) {
        c.request(id -> new Command.Publish(id, entry.channel, entry.data, entry.msgId, entry.key), reply -> {
            if (reply instanceof ServerMessage.Ack ack) {
                if (take(entry)) {
                    callbacks.complete(entry.future, new PublishResult(ack.channel() == null ? entry.channel : ack.channel(),
                            entry.msgId, ack.epoch(), ack.offset(), ack.duplicate()));
                }
            } else if (reply instanceof ServerMessage.Error error) {
                // Refused (unknown channel, too large, …): sending it again would be refused again.
                if (take(entry)) {
                    callbacks.fail(entry.future, new HubErrorException(error.code(), error.message()));
                }
            }
        }, 0); // no timeout: a lost connection re-sends it, and the publish timeout bounds the wait if set
    }

    /** Removes {@code entry} if it still waits, giving its place back; false if it had left already. */
    private boolean take(Entry entry) {
        if (!entries.remove(entry.msgId, entry)) {
            return false;
        }
        Loop.cancel(entry.timeout);
        places.decrementAndGet();
        return true;
    }

    /** One publish and its message id, kept for every re-send. */
    private static final class Entry {
        final String msgId;
        final String channel;
        final JsonNode data;
        final String key;
        final CompletableFuture<PublishResult> future;
        Loop.Timer timeout;

        Entry(String msgId, String channel, JsonNode data, String key, CompletableFuture<PublishResult> future) {
            this.msgId = msgId;
            this.channel = channel;
            this.data = data;
            this.key = key;
            this.future = future;
        }
    }
}

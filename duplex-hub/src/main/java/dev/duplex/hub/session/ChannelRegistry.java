package dev.duplex.hub.session;

import dev.duplex.hub.broker.Broker;
import dev.duplex.hub.protocol.Publication;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The channels with members on this node: subscribed sessions and server-side listeners. The node
 * is subscribed at the broker while a channel has a member. Thread-safe.
 *
 * <p>The broker is subscribed when a channel gets its first member and unsubscribed when it loses
 * its last one, both inside the map's lock for that channel. Outside it, a detach that emptied the
 * channel could unsubscribe the broker after a concurrent attach had created the channel anew and
 * subscribed: the node would then be unsubscribed while it has a subscriber, who would silently
 * receive nothing more. The broker calls only start the (un)subscription and return a future; they
 * must not block.
 */
public final class ChannelRegistry {
    private final Broker broker;
    private final Map<String, LocalChannel> channels = new ConcurrentHashMap<>();

    public ChannelRegistry(Broker broker) {
        this.broker = broker;
    }

    /** Adds a session; completes when the node's broker subscription for the channel is in place. */
    public CompletableFuture<Void> attach(String channel, HubSession session) {
        return join(channel, c -> c.subscribers.add(session)).ready;
    }

    public void detach(String channel, HubSession session) {
        leave(channel, c -> c.subscribers.remove(session));
    }

    /** Adds a server-side listener; closing the handle removes it. */
    public AutoCloseable listen(String channel, Consumer<Publication> listener) {
        join(channel, c -> c.listeners.add(listener));
        return () -> leave(channel, c -> c.listeners.remove(listener));
    }

    /** The members of {@code channel} on this node, or null when it has none. */
    public Members members(String channel) {
        LocalChannel c = channels.get(channel);
        return c == null ? null : new Members(c.subscribers, c.listeners);
    }

    /** Channels with members and how many sessions each, sorted by name. */
    public Map<String, Integer> counts() {
        Map<String, Integer> result = new TreeMap<>();
        channels.forEach((name, c) -> result.put(name, c.subscribers.size()));
        return result;
    }

    public int size() {
        return channels.size();
    }

    private LocalChannel join(String channel, Consumer<LocalChannel> add) {
        return channels.compute(channel, (name, existing) -> {
            LocalChannel c = existing != null ? existing : new LocalChannel(broker.subscribe(channel));
            add.accept(c);
            return c;
        });
    }

    private void leave(String channel, Consumer<LocalChannel> remove) {
        channels.computeIfPresent(channel, (name, c) -> {
            remove.accept(c);
            if (c.subscribers.isEmpty() && c.listeners.isEmpty()) {
                broker.unsubscribe(channel);
                return null;
            }
            return c;
        });
    }

    /** A channel's members: live sets, safe to iterate while they change. */
    public record Members(Set<HubSession> subscribers, Set<Consumer<Publication>> listeners) {
    }

    private static final class LocalChannel {
        final Set<HubSession> subscribers = ConcurrentHashMap.newKeySet();
        final Set<Consumer<Publication>> listeners = ConcurrentHashMap.newKeySet();
        /** The broker subscription of this node, started when the channel got its first member. */
        final CompletableFuture<Void> ready;

        LocalChannel(CompletableFuture<Void> ready) {
            this.ready = ready;
        }
    }
}

package dev.duplex.hub.broker;

import dev.duplex.hub.protocol.ClientInfo;
import dev.duplex.hub.protocol.Publication;
import dev.duplex.hub.protocol.StreamPosition;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The single-node broker: streams, history, de-duplication and presence in this process's memory.
 * A restart loses them, so every stream starts under a new epoch and clients are told recovery was
 * not possible instead of receiving a silent gap. Work is done on the caller's thread; each channel
 * has its own lock, so publications of one channel are numbered and delivered in order.
 */
public final class MemoryBroker implements Broker {
    private static final BrokerListener NO_LISTENER = new BrokerListener() {
        @Override
        public void onPublication(String epoch, Publication publication) {
        }

        @Override
        public void onJoin(String channel, ClientInfo info) {
        }

        @Override
        public void onLeave(String channel, ClientInfo info) {
        }
    };

    private final Map<String, Stream> streams = new ConcurrentHashMap<>();
    private final Set<String> subscribed = ConcurrentHashMap.newKeySet();
    private final Map<String, Map<String, ClientInfo>> presence = new ConcurrentHashMap<>();
    private final LongSupplier clock;
    private final SecureRandom random = new SecureRandom();
    private volatile BrokerListener listener = NO_LISTENER;

    public MemoryBroker() {
        this(System::currentTimeMillis);
    }

    /** With a clock in epoch milliseconds, for tests of expiry. */
    public MemoryBroker(LongSupplier clock) {
        this.clock = clock;
    }

    @Override
    public void listener(BrokerListener value) {
        this.listener = value == null ? NO_LISTENER : value;
    }

    @Override
    public CompletableFuture<PublishResult> publish(PublishRequest request) {
        Stream stream = streams.computeIfAbsent(request.channel(), c -> new Stream(newEpoch()));
        long now = clock.getAsLong();
        synchronized (stream) {
            if (stream.removed) { // swept away between lookup and lock: start the new one
                return publish(request);
            }
            stream.trim(now);
            if (request.idempotencyKey() != null) {
                PublishResult earlier = stream.dedup(request.idempotencyKey(), now);
                if (earlier != null) {
                    return CompletableFuture.completedFuture(new PublishResult(earlier.epoch(), earlier.offset(), true));
                }
            }
            long offset = ++stream.offset;
            Publication publication = new Publication(request.channel(), offset, request.data(), request.info(), request.key());
            stream.lastPublish = now;
            stream.metaTtl = request.history().metaTtl();
            HistoryOptions history = request.history();
            if (history.size() > 0) {
                stream.retained.addLast(new Retained(publication, now + history.ttl().toMillis()));
                while (stream.retained.size() > history.size()) {
                    stream.retained.removeFirst();
                }
            }
            PublishResult result = new PublishResult(stream.epoch, offset, false);
            if (request.idempotencyKey() != null) {
                stream.remember(request.idempotencyKey(), result, now + request.dedupWindow().toMillis());
            }
            if (subscribed.contains(request.channel())) {
                listener.onPublication(stream.epoch, publication);
            }
            return CompletableFuture.completedFuture(result);
        }
    }

    @Override
    public CompletableFuture<Void> subscribe(String channel) {
        subscribed.add(channel);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> unsubscribe(String channel) {
        subscribed.remove(channel);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<HistoryPage> history(String channel, StreamPosition since, int limit, HistoryOptions options) {
        Stream stream = streams.computeIfAbsent(channel, c -> new Stream(newEpoch()));
        long now = clock.getAsLong();
        synchronized (stream) {
            if (stream.removed) {
                return history(channel, since, limit, options);
            }
            stream.trim(now);
            if (stream.lastPublish == 0) {
                stream.lastPublish = now; // a stream someone looked at lives for its meta TTL too
                stream.metaTtl = options.metaTtl();
            }
            List<Publication> page = new ArrayList<>();
            boolean recoverable = true;
            long after = 0;
            if (since != null) {
                long oldest = stream.retained.isEmpty() ? stream.offset + 1 : stream.retained.peekFirst().publication.offset();
                recoverable = since.epoch().equals(stream.epoch) && since.offset() <= stream.offset
                        && since.offset() >= oldest - 1;
                after = since.offset();
            }
            if (recoverable) {
                for (Retained r : stream.retained) {
                    if (page.size() >= limit) {
                        break;
                    }
                    if (r.publication.offset() > after) {
                        page.add(r.publication);
                    }
                }
            }
            return CompletableFuture.completedFuture(new HistoryPage(stream.epoch, stream.offset, page, recoverable));
        }
    }

    @Override
    public void publishJoin(String channel, ClientInfo info) {
        if (subscribed.contains(channel)) {
            listener.onJoin(channel, info);
        }
    }

    @Override
    public void publishLeave(String channel, ClientInfo info) {
        if (subscribed.contains(channel)) {
            listener.onLeave(channel, info);
        }
    }

    @Override
    public CompletableFuture<Void> addPresence(String channel, ClientInfo info) {
        presence.compute(channel, (c, members) -> {
            Map<String, ClientInfo> next = members == null ? new LinkedHashMap<>() : members;
            next.put(info.client(), info);
            return next;
        });
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> removePresence(String channel, String clientId) {
        presence.computeIfPresent(channel, (c, members) -> {
            members.remove(clientId);
            return members.isEmpty() ? null : members;
        });
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<List<ClientInfo>> presence(String channel) {
        List<ClientInfo> members = new ArrayList<>();
        presence.computeIfPresent(channel, (c, m) -> {
            members.addAll(m.values());
            return m;
        });
        return CompletableFuture.completedFuture(members);
    }

    /**
     * Drops expired history, de-duplication entries and streams nobody needs any more. The hub calls
     * it periodically; correctness never depends on it (reads trim as they go).
     */
    public void sweep() {
        long now = clock.getAsLong();
        for (Iterator<Map.Entry<String, Stream>> it = streams.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Stream> entry = it.next();
            Stream stream = entry.getValue();
            synchronized (stream) {
                stream.trim(now);
                boolean idle = stream.retained.isEmpty() && stream.dedup.isEmpty()
                        && now - stream.lastPublish > stream.metaTtl.toMillis();
                if (idle && !subscribed.contains(entry.getKey())) {
                    stream.removed = true;
                    it.remove();
                }
            }
        }
    }

    /** Channels with a stream in memory (for stats). */
    public int streamCount() {
        return streams.size();
    }

    @Override
    public void close() {
        streams.clear();
        presence.clear();
        subscribed.clear();
    }

    private String newEpoch() {
        return Long.toString(random.nextLong() >>> 1, 36);
    }

    private record Retained(Publication publication, long expiresAt) {
    }

    private record Remembered(PublishResult result, long expiresAt) {
    }

    /** One channel's stream. Guarded by its own monitor. */
    private static final class Stream {
        final String epoch;
        long offset;
        long lastPublish;
        Duration metaTtl = HistoryOptions.NONE.metaTtl();
        boolean removed;
        final ArrayDeque<Retained> retained = new ArrayDeque<>();
        final LinkedHashMap<String, Remembered> dedup = new LinkedHashMap<>();

        Stream(String epoch) {
            this.epoch = epoch;
        }

        void trim(long now) {
            while (!retained.isEmpty() && retained.peekFirst().expiresAt <= now) {
                retained.removeFirst();
            }
            for (Iterator<Remembered> it = dedup.values().iterator(); it.hasNext(); ) {
                if (it.next().expiresAt > now) {
                    break; // insertion order: the rest expire later (windows are per namespace, rarely mixed)
                }
                it.remove();
            }
        }

        PublishResult dedup(String key, long now) {
            Remembered r = dedup.get(key);
            return r != null && r.expiresAt > now ? r.result : null;
        }

        void remember(String key, PublishResult result, long expiresAt) {
            dedup.put(key, new Remembered(result, expiresAt));
        }
    }
}

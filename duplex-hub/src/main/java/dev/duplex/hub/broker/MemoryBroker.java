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
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The single-node broker: streams, history, de-duplication and presence in this process's memory.
 * A restart loses them, so every stream starts under a new epoch and clients are told recovery was
 * not possible instead of receiving a silent gap. Work is done on the caller's thread; each channel
 * has its own lock, so publications of one channel are numbered and delivered in order.
 *
 * <p>Memory is bounded node-wide: history and de-duplication entries together cost at most
 * {@code maxHistoryBytes} (publications are kept encoded and counted by their encoded size plus a
 * fixed overhead), and at most {@code maxStreams} streams exist. A publication that would pass
 * either is refused with a {@link BrokerCapacityException}, except that a stream nobody published
 * to and nobody subscribes to makes way for a new one. Reads ({@link #history}) never create a
 * stream.
 */
public final class MemoryBroker implements Broker {
    /** 256 MiB of history and de-duplication entries, node-wide. */
    public static final long DEFAULT_MAX_HISTORY_BYTES = 256L << 20;
    /** 100,000 channels with a stream, node-wide. */
    public static final int DEFAULT_MAX_STREAMS = 100_000;
    /** What one retained publication costs beyond its data and key: the objects that hold it. */
    static final int ENTRY_OVERHEAD = 160;
    /** What a de-duplication entry costs beyond its key. */
    static final int DEDUP_OVERHEAD = 120;
    /** What a stream costs beyond its channel name. */
    static final int STREAM_OVERHEAD = 320;

    private final Map<String, Stream> streams = new ConcurrentHashMap<>();
    private final Set<String> subscribed = ConcurrentHashMap.newKeySet();
    private final Map<String, Map<String, ClientInfo>> presence = new ConcurrentHashMap<>();
    /** Channels whose stream may be empty and unwatched: checked again when a new stream needs room. */
    private final Queue<String> emptyCandidates = new ConcurrentLinkedQueue<>();
    private final LongSupplier clock;
    private final long maxHistoryBytes;
    private final int maxStreams;
    private final AtomicLong usedBytes = new AtomicLong();
    private final SecureRandom random = new SecureRandom();
    private volatile BrokerListener listener = BrokerListener.NONE;

    public MemoryBroker() {
        this(System::currentTimeMillis);
    }

    /** With a clock in epoch milliseconds, for tests of expiry. */
    public MemoryBroker(LongSupplier clock) {
        this(clock, DEFAULT_MAX_HISTORY_BYTES, DEFAULT_MAX_STREAMS);
    }

    /** With node-wide budgets: bytes of history and de-duplication entries, and streams. */
    public MemoryBroker(LongSupplier clock, long maxHistoryBytes, int maxStreams) {
        if (maxHistoryBytes < 0 || maxStreams < 1) {
            throw new IllegalArgumentException("maxHistoryBytes must not be negative and maxStreams positive: "
                    + maxHistoryBytes + ", " + maxStreams);
        }
        this.clock = clock;
        this.maxHistoryBytes = maxHistoryBytes;
        this.maxStreams = maxStreams;
    }

    @Override
    public void listener(BrokerListener value) {
        this.listener = value == null ? BrokerListener.NONE : value;
    }

    @Override
    public CompletableFuture<PublishResult> publish(PublishRequest request) {
        try {
            return CompletableFuture.completedFuture(publishNow(request));
        } catch (BrokerCapacityException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private PublishResult publishNow(PublishRequest request) {
        long now = clock.getAsLong();
        while (true) {
            Stream stream = streamFor(request.channel(), now);
            synchronized (stream) {
                if (stream.removed) {
                    continue; // swept away between lookup and lock: start the new one
                }
                stream.trim(now);
                if (request.idempotencyKey() != null) {
                    PublishResult earlier = stream.dedup(request.idempotencyKey(), now);
                    if (earlier != null) {
                        return new PublishResult(earlier.epoch(), earlier.offset(), true);
                    }
                }
                HistoryOptions history = request.history();
                Publication publication = new Publication(request.channel(), stream.offset + 1, request.data(),
                        request.info(), request.key());
                long added = (history.size() > 0 ? entryCost(publication) : 0)
                        + (request.idempotencyKey() != null ? dedupCost(request.idempotencyKey()) : 0);
                // The entries the size limit will push out make room for the new one.
                int pushedOut = history.size() > 0 ? Math.max(0, stream.retained.size() + 1 - history.size()) : 0;
                long freed = 0;
                Iterator<Retained> oldest = stream.retained.iterator();
                for (int i = 0; i < pushedOut; i++) {
                    freed += oldest.next().cost;
                }
                reserve(added - freed, request.channel());
                long offset = ++stream.offset;
                stream.lastPublish = now;
                stream.metaTtl = history.metaTtl();
                if (history.size() > 0) {
                    stream.retained.addLast(new Retained(publication, now + history.ttl().toMillis(), entryCost(publication)));
                    while (stream.retained.size() > history.size()) {
                        stream.bytes -= stream.retained.removeFirst().cost;
                    }
                    stream.bytes += entryCost(publication);
                }
                PublishResult result = new PublishResult(stream.epoch, offset, false);
                if (request.idempotencyKey() != null) {
                    stream.remember(request.idempotencyKey(), result, now + request.dedupWindow().toMillis());
                }
                if (subscribed.contains(request.channel())) {
                    listener.onPublication(stream.epoch, publication);
                }
                return result;
            }
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
        Stream stream = streams.get(channel);
        if (stream != null && stream.offset == 0) {
            emptyCandidates.add(channel);
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<HistoryPage> history(String channel, StreamPosition since, int limit, HistoryOptions options) {
        Stream stream = streams.get(channel);
        if (stream == null) {
            // Nothing retained, and no stream made for a name someone merely asked about.
            return CompletableFuture.completedFuture(new HistoryPage("", 0, List.of(), since == null));
        }
        return read(channel, since, limit, options);
    }

    @Override
    public CompletableFuture<HistoryPage> recover(String channel, StreamPosition since, int limit, HistoryOptions options) {
        try {
            streamFor(channel, clock.getAsLong());
        } catch (BrokerCapacityException e) {
            return CompletableFuture.failedFuture(e);
        }
        return read(channel, since, limit, options);
    }

    private CompletableFuture<HistoryPage> read(String channel, StreamPosition since, int limit, HistoryOptions options) {
        long now = clock.getAsLong();
        Stream stream = streams.get(channel);
        if (stream == null) {
            return history(channel, since, limit, options); // swept meanwhile
        }
        synchronized (stream) {
            if (stream.removed) {
                return history(channel, since, limit, options);
            }
            stream.trim(now);
            List<Publication> page = new ArrayList<>();
            boolean recoverable = true;
            long after = 0;
            if (since != null) {
                long oldest = stream.retained.isEmpty() ? stream.offset + 1 : stream.retained.peekFirst().publication.offset();
                boolean sameStream = since.epoch().equals(stream.epoch)
                        // "" at 0: the position of a channel read before it had a stream; everything
                        // since is in this stream, from offset 1.
                        || (since.epoch().isEmpty() && since.offset() == 0);
                recoverable = sameStream && since.offset() <= stream.offset && since.offset() >= oldest - 1;
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
     * it periodically; correctness never depends on it (reads and writes trim as they go).
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
                    remove(entry.getKey(), stream);
                    it.remove();
                }
            }
        }
    }

    /** Channels with a stream in memory (for stats). */
    public int streamCount() {
        return streams.size();
    }

    /** Bytes the retained publications, de-duplication entries and streams are counted at. */
    public long historyBytes() {
        return usedBytes.get();
    }

    public long maxHistoryBytes() {
        return maxHistoryBytes;
    }

    public int maxStreams() {
        return maxStreams;
    }

    @Override
    public void close() {
        streams.clear();
        presence.clear();
        subscribed.clear();
        usedBytes.set(0);
    }

    // ---- budgets

    /** The channel's stream, created (under the stream budget) when it has none. */
    private Stream streamFor(String channel, long now) {
        Stream stream = streams.get(channel);
        if (stream != null) {
            return stream;
        }
        if (streams.size() >= maxStreams && !evictAnEmptyStream()) {
            throw new BrokerCapacityException("streams", "This node holds its limit of " + maxStreams
                    + " channels with history (hub.max_streams); publish to an existing channel or try again later");
        }
        return streams.computeIfAbsent(channel, c -> {
            Stream created = new Stream(newEpoch(), now, stringCost(c) + STREAM_OVERHEAD);
            usedBytes.addAndGet(created.overhead);
            return created;
        });
    }

    /** Removes one stream nobody published to and nobody subscribes to; false if there is none. */
    private boolean evictAnEmptyStream() {
        String candidate;
        while ((candidate = emptyCandidates.poll()) != null) {
            Stream stream = streams.get(candidate);
            if (stream == null || subscribed.contains(candidate)) {
                continue;
            }
            synchronized (stream) {
                if (!stream.removed && stream.offset == 0 && stream.dedup.isEmpty()) {
                    remove(candidate, stream);
                    streams.remove(candidate, stream);
                    return true;
                }
            }
        }
        return false;
    }

    /** Counts {@code delta} bytes against the budget, or refuses a growth that would pass it. */
    private void reserve(long delta, String channel) {
        while (true) {
            long used = usedBytes.get();
            long next = used + delta;
            if (delta > 0 && next > maxHistoryBytes) {
                throw new BrokerCapacityException("history_memory", "This node's history memory is full ("
                        + maxHistoryBytes + " bytes, hub.history_memory_bytes): " + channel + " cannot keep another "
                        + "publication; try again once older ones expire");
            }
            if (usedBytes.compareAndSet(used, next)) {
                return;
            }
        }
    }

    /** A stream is going: give back what it held. Caller holds its lock. */
    private void remove(String channel, Stream stream) {
        stream.removed = true;
        long held = stream.overhead + stream.bytes;
        for (Map.Entry<String, Remembered> e : stream.dedup.entrySet()) {
            held += dedupCost(e.getKey());
        }
        usedBytes.addAndGet(-held);
        stream.retained.clear();
        stream.dedup.clear();
    }

    private static long entryCost(Publication p) {
        return ENTRY_OVERHEAD + p.payload().size() + (p.key() == null ? 0 : stringCost(p.key()));
    }

    private static long dedupCost(String key) {
        return DEDUP_OVERHEAD + stringCost(key);
    }

    /** A Java string's size, counted as UTF-16 to stay on the safe side. */
    private static long stringCost(String s) {
        return 40 + 2L * s.length();
    }

    private String newEpoch() {
        return Long.toString(random.nextLong() >>> 1, 36);
    }

    private record Retained(Publication publication, long expiresAt, long cost) {
    }

    private record Remembered(PublishResult result, long expiresAt) {
    }

    /** One channel's stream. Guarded by its own monitor. */
    private final class Stream {
        final String epoch;
        final long overhead;
        long offset;
        long lastPublish;
        /** Bytes of the retained entries. */
        long bytes;
        Duration metaTtl = HistoryOptions.NONE.metaTtl();
        boolean removed;
        final ArrayDeque<Retained> retained = new ArrayDeque<>();
        final LinkedHashMap<String, Remembered> dedup = new LinkedHashMap<>();

        Stream(String epoch, long createdAt, long overhead) {
            this.epoch = epoch;
            this.lastPublish = createdAt; // a stream made for a subscriber lives for its meta TTL too
            this.overhead = overhead;
        }

        void trim(long now) {
            long freed = 0;
            while (!retained.isEmpty() && retained.peekFirst().expiresAt <= now) {
                freed += retained.removeFirst().cost;
            }
            bytes -= freed;
            for (Iterator<Map.Entry<String, Remembered>> it = dedup.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<String, Remembered> e = it.next();
                if (e.getValue().expiresAt > now) {
                    break; // insertion order: the rest expire later (windows are per namespace, rarely mixed)
                }
                freed += dedupCost(e.getKey());
                it.remove();
            }
            if (freed > 0) {
                usedBytes.addAndGet(-freed);
            }
        }

        PublishResult dedup(String key, long now) {
            Remembered r = dedup.get(key);
            return r != null && r.expiresAt > now ? r.result : null;
        }

        void remember(String key, PublishResult result, long expiresAt) {
            if (dedup.put(key, new Remembered(result, expiresAt)) != null) {
                usedBytes.addAndGet(-dedupCost(key)); // replaced an expired entry still in the map
            }
        }
    }
}

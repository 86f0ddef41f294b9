package dev.duplex.hub;

import com.fasterxml.jackson.databind.JsonNode;
import dev.duplex.hub.broker.Broker;
import dev.duplex.hub.broker.BrokerListener;
import dev.duplex.hub.broker.HistoryPage;
import dev.duplex.hub.broker.MemoryBroker;
import dev.duplex.hub.broker.PublishRequest;
import dev.duplex.hub.broker.PublishResult;
import dev.duplex.hub.limits.TokenBucket;
import dev.duplex.hub.metrics.HubMetrics;
import dev.duplex.hub.protocol.ClientInfo;
import dev.duplex.hub.protocol.DisconnectCode;
import dev.duplex.hub.protocol.Payload;
import dev.duplex.hub.protocol.ProtocolException;
import dev.duplex.hub.protocol.Publication;
import dev.duplex.hub.protocol.ServerMessage;
import dev.duplex.hub.protocol.StreamPosition;
import dev.duplex.hub.session.HubSession;
import dev.duplex.hub.session.SessionHost;
import dev.duplex.hub.session.SharedPublication;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The hub of one node: its connections ({@link HubSession}s), the channels they subscribe to, and the
 * {@link Broker} that numbers, stores and carries publications. No I/O of its own: a
 * {@link HubEndpoint} connects WebSockets to it, {@link HubServer} runs it on a port. The methods
 * below are the server-side API (the HTTP API uses them). Thread-safe.
 */
public final class Hub implements SessionHost, AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.duplex.hub");
    private static final long SOCKET_WATERMARK = 64 * 1024;

    private final HubConfig config;
    private final Broker broker;
    private final boolean ownsBroker;
    private final HubMetrics metrics = new HubMetrics();
    private final Map<String, HubSession> sessions = new ConcurrentHashMap<>();
    private final Map<String, LocalChannel> channels = new ConcurrentHashMap<>();
    private final Map<String, UserSlot> users = new ConcurrentHashMap<>();
    private final Set<HubSession> blocked = ConcurrentHashMap.newKeySet();
    private final TokenBucket admission;
    private final ScheduledExecutorService timer;
    private final SecureRandom random = new SecureRandom();
    private volatile boolean draining;
    private volatile Consumer<Runnable> fanoutScope = Runnable::run;

    /** A hub with the in-memory broker, bounded by the config's history memory and stream budgets. */
    public Hub(HubConfig config) {
        this(config, new MemoryBroker(System::currentTimeMillis, config.historyMemoryBytes(), config.maxStreams()), true);
    }

    /** A hub on {@code broker}, which the caller closes. */
    public Hub(HubConfig config, Broker broker) {
        this(config, broker, false);
    }

    private Hub(HubConfig config, Broker broker, boolean ownsBroker) {
        this.config = config;
        this.broker = broker;
        this.ownsBroker = ownsBroker;
        this.admission = new TokenBucket(config.connectionsPerSecond(), config.connectionBurst(), System.nanoTime());
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "duplex-hub-timer");
            t.setDaemon(true);
            return t;
        });
        broker.listener(new Fanout());
        timer.scheduleWithFixedDelay(this::checkDeadlines, 1, 1, TimeUnit.SECONDS);
        timer.scheduleWithFixedDelay(this::flushBlocked, 10, 10, TimeUnit.MILLISECONDS);
        metrics.gauge("duplex_channels", "Channels with subscribers on this node", channels::size);
        metrics.gauge("duplex_queued_bytes", "Bytes waiting to be sent to clients, all connections",
                () -> sessions.values().stream().mapToLong(s -> s.stats().queuedBytes()).sum());
        metrics.gauge("duplex_open_sockets", "Hub WebSocket connections, connected or not yet", sessions::size);
        if (broker instanceof MemoryBroker memory) {
            metrics.gauge("duplex_history_bytes", "Bytes of retained publications and de-duplication entries "
                    + "(in-memory broker; at most hub.history_memory_bytes)", memory::historyBytes);
            metrics.gauge("duplex_streams", "Channels with a stream (in-memory broker; at most hub.max_streams)",
                    memory::streamCount);
        }
    }

    /**
     * How the deliveries of one publication (or presence event) to this node's subscribers run: by
     * default directly; {@link HubEndpoint} sets {@code SendBatch::run}, so that each event loop
     * gets one hand-off per publication instead of one per subscriber.
     */
    public void fanoutScope(Consumer<Runnable> scope) {
        this.fanoutScope = Objects.requireNonNull(scope, "scope");
    }

    // ---- connections (used by HubEndpoint)

    /**
     * A new connection wants in. Null if admitted; otherwise the milliseconds after which to retry
     * (the connection-rate limit, or a drain in progress).
     */
    public Long admit() {
        if (draining) {
            return config.drainWindow().toMillis() + 1_000;
        }
        long now = System.nanoTime();
        return admission.tryAcquire(now) ? null : Math.max(1_000, admission.millisUntilAvailable(now));
    }

    public void opened(HubSession session) {
        sessions.put(session.clientId(), session);
    }

    public void closed(HubSession session) {
        sessions.remove(session.clientId());
        blocked.remove(session);
        session.onClosed();
    }

    // ---- the server-side API

    /**
     * Publishes as the server (no publisher info); {@code idempotencyKey} may be null. Fails with
     * {@link IllegalArgumentException} for an unknown namespace or data with no MessagePack form, and
     * completes exceptionally with {@link dev.duplex.hub.broker.BrokerCapacityException} when the
     * node's history budget is spent.
     */
    public CompletableFuture<PublishResult> publish(String channel, JsonNode data, String idempotencyKey) {
        NamespaceConfig ns = requireNamespace(channel);
        Payload payload;
        try {
            payload = Payload.json(data);
        } catch (ProtocolException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return broker.publish(new PublishRequest(channel, payload, null, null, ns.historyOptions(), idempotencyKey, ns.dedupWindow()))
                .whenComplete((result, failure) -> {
                    if (result != null) {
                        metrics.published(result.duplicate());
                    } else if (failure instanceof dev.duplex.hub.broker.BrokerCapacityException full) {
                        metrics.capacityRefused(full.limit());
                    }
                });
    }

    public CompletableFuture<List<ClientInfo>> presence(String channel) {
        requireNamespace(channel);
        return broker.presence(channel);
    }

    public CompletableFuture<HistoryPage> history(String channel, StreamPosition since, int limit) {
        NamespaceConfig ns = requireNamespace(channel);
        return broker.history(channel, since, Math.min(limit, ns.historySize()), ns.historyOptions());
    }

    /**
     * Calls {@code listener} with every publication of {@code channel} from now on, in offset order,
     * on the publishing thread (so it must be quick): server-side code such as a device that receives
     * commands. Close the returned handle to stop.
     */
    public AutoCloseable listen(String channel, Consumer<Publication> listener) {
        requireNamespace(channel);
        join(channel, c -> c.listeners.add(listener));
        return () -> leave(channel, c -> c.listeners.remove(listener));
    }

    /** Disconnects every connection of {@code user} on this node; returns how many. */
    public int disconnectUser(String user, boolean reconnect, String reason) {
        int count = 0;
        DisconnectCode code = reconnect ? DisconnectCode.FORCE_RECONNECT : DisconnectCode.FORCE_DISCONNECT;
        for (HubSession s : sessions.values()) {
            if (s.connected() && s.user().equals(user)) {
                s.disconnect(code, reason, null);
                count++;
            }
        }
        return count;
    }

    /** Channels with subscribers on this node and how many, sorted by name. */
    public Map<String, Integer> channels() {
        Map<String, Integer> result = new TreeMap<>();
        channels.forEach((name, ch) -> result.put(name, ch.subscribers.size()));
        return result;
    }

    public List<HubSession.Stats> connections() {
        List<HubSession.Stats> result = new ArrayList<>();
        for (HubSession s : sessions.values()) {
            result.add(s.stats());
        }
        return result;
    }

    public int connectionCount() {
        return sessions.size();
    }

    public HubMetrics metrics() {
        return metrics;
    }

    public HubConfig config() {
        return config;
    }

    public Broker broker() {
        return broker;
    }

    public boolean draining() {
        return draining;
    }

    /**
     * Graceful shutdown, step one: admit no one new, then disconnect every connection with 3000, a
     * retry-after hint and close code 1001, spread evenly over the drain window so that the nodes
     * they reconnect to are not hit all at once. Completes when all were told.
     */
    public CompletableFuture<Void> drain() {
        draining = true;
        List<HubSession> all = new ArrayList<>(sessions.values());
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (all.isEmpty()) {
            done.complete(null);
            return done;
        }
        long windowMillis = config.drainWindow().toMillis();
        AtomicInteger remaining = new AtomicInteger(all.size());
        LOG.log(System.Logger.Level.INFO, "Draining {0} connections over {1} ms", all.size(), windowMillis);
        for (int i = 0; i < all.size(); i++) {
            HubSession s = all.get(i);
            long delay = windowMillis * i / all.size();
            long retryAfter = 1_000 + ThreadLocalRandom.current().nextLong(Math.max(1, windowMillis));
            timer.schedule(() -> {
                try {
                    s.disconnect(DisconnectCode.SHUTDOWN.code(), DisconnectCode.SHUTDOWN.reason(), true, retryAfter, 1001);
                } finally {
                    if (remaining.decrementAndGet() == 0) {
                        done.complete(null);
                    }
                }
            }, delay, TimeUnit.MILLISECONDS);
        }
        return done;
    }

    @Override
    public void close() {
        timer.shutdownNow();
        if (ownsBroker) {
            broker.close();
        }
    }

    // ---- SessionHost

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public long currentTimeMillis() {
        return System.currentTimeMillis();
    }

    @Override
    public String newClientId() {
        return Long.toString(random.nextLong() >>> 1, 36) + Long.toString(random.nextLong() >>> 1, 36);
    }

    @Override
    public boolean registerUser(String user, HubSession session) {
        if (user.isEmpty()) {
            return true;
        }
        int limit = config.maxConnectionsPerUser();
        boolean[] admitted = {false};
        users.compute(user, (u, slot) -> {
            UserSlot s = slot == null ? new UserSlot() : slot;
            if (limit == 0 || s.count < limit) {
                s.count++;
                admitted[0] = true;
            }
            return s.count == 0 ? null : s;
        });
        return admitted[0];
    }

    @Override
    public void unregisterUser(HubSession session) {
        String user = session.user();
        if (user.isEmpty()) {
            return;
        }
        users.computeIfPresent(user, (u, slot) -> --slot.count <= 0 ? null : slot);
    }

    @Override
    public TokenBucket userRateLimiter(String user) {
        if (user.isEmpty()) {
            return null;
        }
        UserSlot slot = users.get(user);
        return slot == null ? null : slot.rate(config);
    }

    @Override
    public CompletableFuture<Void> attach(String channel, HubSession session) {
        return join(channel, c -> c.subscribers.add(session)).ready;
    }

    @Override
    public void detach(String channel, HubSession session) {
        leave(channel, c -> c.subscribers.remove(session));
    }

    /*
     * The broker is subscribed when a channel gets its first local member and unsubscribed when it
     * loses its last one, both inside the map's lock for that channel. Outside it, a detach that
     * emptied the channel could call broker.unsubscribe after a concurrent attach had created the
     * channel anew and subscribed: the node would then be unsubscribed while it has a subscriber,
     * who would silently receive nothing more (no gap is ever seen, so not even a 3009). The broker
     * calls only start the (un)subscription and return a future; they must not block.
     */
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
            if (c.isEmpty()) {
                broker.unsubscribe(channel);
                return null;
            }
            return c;
        });
    }

    @Override
    public HubSession session(String clientId) {
        return sessions.get(clientId);
    }

    @Override
    public void runLater(Runnable task) {
        try {
            timer.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closing: nothing left to do
        }
    }

    /**
     * At most half the per-connection budget ({@link HubConfig#maxQueuedBytes()}) sits in the socket
     * buffer, where the slow-consumer policy can no longer drop anything. With the full 64 KiB and a
     * budget of 64 KiB or less, the socket alone filled the budget and a DROP_OLDEST or
     * LATEST_PER_KEY consumer was disconnected (3002) instead of having old publications dropped.
     */
    @Override
    public long socketWatermark() {
        return Math.min(SOCKET_WATERMARK, config.maxQueuedBytes() / 2);
    }

    @Override
    public void markBlocked(HubSession session) {
        blocked.add(session);
    }

    // ---- internals

    private NamespaceConfig requireNamespace(String channel) {
        NamespaceConfig ns = config.namespaceOf(channel);
        if (ns == null) {
            throw new IllegalArgumentException("No namespace is configured for channel '" + channel + "'");
        }
        return ns;
    }

    private void checkDeadlines() {
        try {
            for (HubSession s : sessions.values()) {
                s.checkDeadlines();
            }
            if (broker instanceof MemoryBroker memory) {
                memory.sweep();
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "Deadline check failed", e);
        }
    }

    private void flushBlocked() {
        if (blocked.isEmpty()) {
            return;
        }
        for (HubSession s : List.copyOf(blocked)) {
            blocked.remove(s);
            s.flush(); // marks itself blocked again if the socket still has no room
        }
    }

    /** Delivers what the broker brings to the local subscribers: encoded once per wire format. */
    private final class Fanout implements BrokerListener {
        @Override
        public void onPublication(String epoch, Publication publication) {
            LocalChannel ch = channels.get(publication.channel());
            if (ch == null) {
                return;
            }
            SharedPublication shared = new SharedPublication(epoch, publication);
            fanoutScope.accept(() -> {
                for (HubSession s : ch.subscribers) {
                    s.deliver(shared);
                }
            });
            for (Consumer<Publication> listener : ch.listeners) {
                try {
                    listener.accept(publication);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "A listener of " + publication.channel() + " failed", e);
                }
            }
        }

        @Override
        public void onJoin(String channel, ClientInfo info) {
            event(channel, new ServerMessage.Join(channel, info), info);
        }

        @Override
        public void onLeave(String channel, ClientInfo info) {
            event(channel, new ServerMessage.Leave(channel, info), info);
        }

        private void event(String channel, ServerMessage message, ClientInfo info) {
            LocalChannel ch = channels.get(channel);
            if (ch != null) {
                fanoutScope.accept(() -> {
                    for (HubSession s : ch.subscribers) {
                        s.deliverPresenceEvent(channel, message, info);
                    }
                });
            }
        }
    }

    /** A channel's subscribers and server-side listeners on this node. */
    private static final class LocalChannel {
        final Set<HubSession> subscribers = ConcurrentHashMap.newKeySet();
        final Set<Consumer<Publication>> listeners = ConcurrentHashMap.newKeySet();
        /** The broker subscription of this node, started when the channel got its first member. */
        final CompletableFuture<Void> ready;

        LocalChannel(CompletableFuture<Void> ready) {
            this.ready = ready;
        }

        boolean isEmpty() {
            return subscribers.isEmpty() && listeners.isEmpty();
        }
    }

    /** A user's connection count and shared command-rate bucket on this node. */
    private static final class UserSlot {
        int count;
        private TokenBucket rate;

        synchronized TokenBucket rate(HubConfig config) {
            if (rate == null) {
                rate = new TokenBucket(config.userCommandsPerSecond(), config.userCommandBurst(), System.nanoTime());
            }
            return rate;
        }
    }
}

package dev.duplex.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.duplex.hub.broker.Broker;
import dev.duplex.hub.broker.BrokerCapacityException;
import dev.duplex.hub.broker.BrokerListener;
import dev.duplex.hub.broker.HistoryPage;
import dev.duplex.hub.broker.MemoryBroker;
import dev.duplex.hub.broker.NodeAgent;
import dev.duplex.hub.broker.KnownNodes;
import dev.duplex.hub.broker.NodeStatus;
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
import dev.duplex.hub.session.ChannelRegistry;
import dev.duplex.hub.session.HubClock;
import dev.duplex.hub.session.HubSession;
import dev.duplex.hub.session.SessionContext;
import dev.duplex.hub.session.SessionDirectory;
import dev.duplex.hub.session.SharedPublication;
import dev.duplex.hub.session.TraceGraph;
import dev.duplex.hub.session.UserRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The hub of one node: its connections ({@link HubSession}s, each owned by its connection's event
 * loop), the channels they subscribe to, and the {@link Broker} that numbers, stores and carries
 * publications. No I/O of its own: a {@link HubEndpoint} connects WebSockets to it, {@link HubServer}
 * runs it on a port. The methods below are the server-side API (the HTTP API uses them); callable
 * from any thread. What they do to a session is handed to that session's owner.
 */
public final class Hub implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.duplex.hub");

    private final HubConfig config;
    private final Broker broker;
    private final boolean ownsBroker;
    private final HubMetrics metrics = new HubMetrics();
    private final SessionContext context;
    private final TokenBucket admission;
    private final ScheduledExecutorService timer;
    private final String nodeId = "node-" + Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36);
    private final long startedMillis = System.currentTimeMillis();
    private volatile boolean draining;
    private volatile Consumer<Runnable> fanoutScope = Runnable::run;
    /** The nodes as of the last refresh (every second on the timer); read by /metrics and the stats channel. */
    private volatile KnownNodes knownNodes;
    /** Which refresh of {@link #knownNodes} was asked last (timer thread only) and which was applied. */
    private long nodesAsked;
    private long nodesApplied;
    private final Object nodesLock = new Object();

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
        HubClock clock = HubClock.system();
        this.context = new SessionContext(config, broker, metrics, clock, new ChannelRegistry(broker),
                new UserRegistry(config, clock), new SessionDirectory(), new TraceGraph());
        this.admission = new TokenBucket(config.connectionsPerSecond(), config.connectionBurst(), clock.nanoTime());
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "duplex-hub-timer");
            t.setDaemon(true);
            return t;
        });
        broker.listener(new Fanout());
        timer.scheduleWithFixedDelay(this::checkDeadlines, 1, 1, TimeUnit.SECONDS);
        metrics.gauge("duplex_channels", "Channels with subscribers on this node", context.channels()::size);
        metrics.gauge("duplex_queued_bytes", "Bytes waiting to be sent to clients, all connections",
                () -> context.sessions().all().stream().mapToLong(s -> s.stats().queuedBytes()).sum());
        metrics.gauge("duplex_open_sockets", "Hub WebSocket connections, connected or not yet", context.sessions()::size);
        if (broker instanceof MemoryBroker memory) {
            metrics.gauge("duplex_history_bytes", "Bytes of retained publications and de-duplication entries "
                    + "(in-memory broker; at most hub.history_memory_bytes)", memory::historyBytes);
            metrics.gauge("duplex_streams", "Channels with a stream (in-memory broker; at most hub.max_streams)",
                    memory::streamCount);
        }
        this.knownNodes = KnownNodes.of(List.of(selfStatus()));
        metrics.clusterNodes(this::knownNodes);
        broker.attach(new NodeAgent() {
            @Override
            public String nodeId() {
                return nodeId;
            }

            @Override
            public JsonNode report() {
                return Hub.this.report();
            }

            @Override
            public int disconnectLocally(String user, boolean reconnect, String reason) {
                return disconnectUser(user, reconnect, reason);
            }
        });
        timer.scheduleWithFixedDelay(this::refreshNodes, 0, 1, TimeUnit.SECONDS);
    }

    /**
     * How the deliveries of one publication (or presence event) to this node's subscribers are
     * handed to their event loops: by default one by one; {@link HubEndpoint} sets
     * {@code SendBatch::run}, so that each event loop gets one hand-off per publication instead of
     * one per subscriber.
     */
    public void fanoutScope(Consumer<Runnable> scope) {
        this.fanoutScope = Objects.requireNonNull(scope, "scope");
    }

    /**
     * The socket buffer a session fills before keeping messages in its own queue: the transport's
     * write high watermark must be this, so that it signals writability when a session needs it.
     */
    public long socketWatermark() {
        return HubSession.socketWatermark(config);
    }

    /** What a session on this hub works with; for {@link HubEndpoint} and tests. */
    public SessionContext sessionContext() {
        return context;
    }

    // ---- connections (used by HubEndpoint, on each connection's loop)

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
        context.sessions().add(session);
    }

    public void closed(HubSession session) {
        context.sessions().remove(session);
        session.onClosed();
    }

    // ---- the server-side API

    /**
     * Publishes as the server (no publisher info); {@code idempotencyKey} may be null. Fails with
     * {@link IllegalArgumentException} for an unknown namespace or data with no MessagePack form, and
     * completes exceptionally with {@link BrokerCapacityException} when the node's history budget is
     * spent.
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
                    } else if (failure instanceof BrokerCapacityException full) {
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
        return context.channels().listen(channel, listener);
    }

    /** Disconnects every connection of {@code user} on this node; returns how many were told. */
    public int disconnectUser(String user, boolean reconnect, String reason) {
        int count = 0;
        DisconnectCode code = reconnect ? DisconnectCode.FORCE_RECONNECT : DisconnectCode.FORCE_DISCONNECT;
        for (HubSession s : context.sessions().all()) {
            if (s.connected() && s.user().equals(user)) {
                s.execute(() -> s.disconnect(code, reason, null));
                count++;
            }
        }
        return count;
    }

    /**
     * Disconnects the connections of {@code user} on every node of the cluster (this one alone with
     * the in-memory broker); completes with how many were told on the nodes that answered.
     */
    public CompletableFuture<Integer> disconnectUserEverywhere(String user, boolean reconnect, String reason) {
        CompletableFuture<Integer> cluster = broker.disconnectUser(user, reconnect, reason);
        return cluster != null ? cluster : CompletableFuture.completedFuture(disconnectUser(user, reconnect, reason));
    }

    /** This node's id in the cluster. */
    public String nodeId() {
        return nodeId;
    }

    /** This node as the others see it: id, start, uptime, connections, subscriptions, channels. */
    public ObjectNode report() {
        long now = System.currentTimeMillis();
        int subscriptions = 0;
        for (int count : context.channels().counts().values()) {
            subscriptions += count;
        }
        return JsonNodeFactory.instance.objectNode().put("id", nodeId).put("startedMillis", startedMillis)
                .put("uptimeSeconds", (now - startedMillis) / 1000).put("connections", context.sessions().size())
                .put("subscriptions", subscriptions).put("channels", context.channels().size()).put("draining", draining);
    }

    /** The nodes of the cluster, which are alive and their last reports; with the in-memory broker, this node. */
    public CompletableFuture<List<NodeStatus>> nodes() {
        return broker.nodes().thenApply(list -> list.isEmpty() ? List.of(selfStatus()) : list);
    }

    /** At most this many nodes are listed in {@code /metrics} (a label value each) and on the stats channel. */
    public static final int MAX_LISTED_NODES = KnownNodes.MAX_LISTED;

    /**
     * The nodes as {@link #nodes()} last answered (refreshed every second by the hub's timer), never
     * waiting for the broker: for {@code /metrics} and the stats channel. At most
     * {@link #MAX_LISTED_NODES} are listed, this node first, then the alive ones, then the gone ones
     * (the most recently seen first), each group by id; {@link KnownNodes#alive()} and
     * {@link KnownNodes#gone()} count them all.
     */
    public KnownNodes knownNodes() {
        return knownNodes;
    }

    private NodeStatus selfStatus() {
        return new NodeStatus(nodeId, true, true, System.currentTimeMillis(), report());
    }

    /** Channels with subscribers on this node and how many, sorted by name. */
    public Map<String, Integer> channels() {
        return context.channels().counts();
    }

    public List<HubSession.Stats> connections() {
        List<HubSession.Stats> result = new ArrayList<>();
        for (HubSession s : context.sessions().all()) {
            result.add(s.stats());
        }
        return result;
    }

    public int connectionCount() {
        return context.sessions().size();
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
        List<HubSession> all = new ArrayList<>(context.sessions().all());
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
            timer.schedule(() -> s.execute(() -> {
                try {
                    s.disconnect(DisconnectCode.SHUTDOWN.code(), DisconnectCode.SHUTDOWN.reason(), true, retryAfter, 1001);
                } finally {
                    if (remaining.decrementAndGet() == 0) {
                        done.complete(null);
                    }
                }
            }), delay, TimeUnit.MILLISECONDS);
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

    // ---- internals

    private NamespaceConfig requireNamespace(String channel) {
        NamespaceConfig ns = config.namespaceOf(channel);
        if (ns == null) {
            throw new IllegalArgumentException("No namespace is configured for channel '" + channel + "'");
        }
        return ns;
    }

    /** Once a second: every session checks its deadlines on its own loop (one hand-off per loop). */
    private void checkDeadlines() {
        try {
            fanoutScope.accept(() -> {
                for (HubSession s : context.sessions().all()) {
                    s.execute(s::checkDeadlines);
                }
            });
            if (broker instanceof MemoryBroker memory) {
                memory.sweep();
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "Deadline check failed", e);
        }
    }

    /**
     * Once a second: asks the broker for the nodes and keeps the answer for {@link #knownNodes()}. The
     * answer is applied when it arrives, unless a later refresh's answer came first; nothing waits.
     */
    private void refreshNodes() {
        long asked = ++nodesAsked;
        try {
            nodes().whenComplete((list, failure) -> {
                if (failure != null) {
                    LOG.log(System.Logger.Level.DEBUG, "Listing the nodes failed: " + failure);
                    return;
                }
                KnownNodes known = KnownNodes.of(list);
                synchronized (nodesLock) {
                    if (asked > nodesApplied) {
                        nodesApplied = asked;
                        knownNodes = known;
                    }
                }
            });
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "Listing the nodes failed", e);
        }
    }

    /** Delivers what the broker brings to the local subscribers, each on its own loop: encoded once per wire format. */
    private final class Fanout implements BrokerListener {
        @Override
        public void onPublication(String epoch, Publication publication) {
            ChannelRegistry.Members members = context.channels().members(publication.channel());
            if (members == null) {
                return;
            }
            SharedPublication shared = new SharedPublication(epoch, publication);
            fanoutScope.accept(() -> {
                for (HubSession s : members.subscribers()) {
                    s.execute(() -> s.deliver(shared));
                }
            });
            for (Consumer<Publication> listener : members.listeners()) {
                try {
                    listener.accept(publication);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "A listener of " + publication.channel() + " failed", e);
                }
            }
        }

        @Override
        public void onGap(String channel, String epoch, long offset) {
            ChannelRegistry.Members members = context.channels().members(channel);
            if (members != null) {
                fanoutScope.accept(() -> {
                    for (HubSession s : members.subscribers()) {
                        s.execute(() -> s.streamGap(channel, epoch, offset));
                    }
                });
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
            ChannelRegistry.Members members = context.channels().members(channel);
            if (members != null) {
                fanoutScope.accept(() -> {
                    for (HubSession s : members.subscribers()) {
                        s.execute(() -> s.deliverPresenceEvent(channel, message, info));
                    }
                });
            }
        }
    }
}

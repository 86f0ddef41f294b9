package dev.duplex.hub.broker.redis;

import dev.duplex.hub.broker.Broker;
import dev.duplex.hub.broker.BrokerListener;
import dev.duplex.hub.broker.HistoryOptions;
import dev.duplex.hub.broker.HistoryPage;
import dev.duplex.hub.broker.NodeAgent;
import dev.duplex.hub.broker.NodeStatus;
import dev.duplex.hub.broker.PublishRequest;
import dev.duplex.hub.broker.PublishResult;
import dev.duplex.hub.protocol.ClientInfo;
import dev.duplex.hub.protocol.Publication;
import dev.duplex.hub.protocol.StreamPosition;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The hub's broker on Redis, for any number of nodes: publications numbered, stored and fanned out
 * by one Lua script per publication (so offsets and delivery order never disagree), history and
 * recovery read from a Redis stream, presence with expiry, and a control channel between nodes.
 * Publications reach each node over sharded pub/sub; the node knows its exact position in every
 * channel it subscribed to and fills what it missed from history, or tells the subscribers when
 * history cannot ({@link Feeds}).
 *
 * <p>Redis 7.0 or later (sharded pub/sub, RESP3). Nothing blocks a caller's thread: every method
 * returns a future completed on Lettuce's threads; what this node receives is delivered on one
 * delivery thread of its own, which also owns the channel positions, this node's presence members
 * and the control channel. When Redis is unreachable, publications fail with a
 * {@link dev.duplex.hub.broker.BrokerUnavailableException} (never a false acknowledgement) and
 * subscriptions resume, checked for gaps, when it returns.
 */
public final class RedisBroker implements Broker {
    private static final System.Logger LOG = System.getLogger("dev.duplex.hub.broker.redis");
    private final RedisBrokerOptions options;
    private final Keys keys;
    private final ClientResources resources;
    private final RedisClient client;
    private final RedisClusterClient cluster;
    private final Topology topology;
    private final ScheduledExecutorService owner;
    private final Feeds feeds;
    private final Presence presence;
    private final byte[] controlChannel;
    private final AtomicLong gaps = new AtomicLong();
    private volatile BrokerListener listener = BrokerListener.NONE;
    private volatile Nodes nodes;

    /** Connects to Redis (failing with a message that names the server when it cannot) and checks its version. */
    public RedisBroker(RedisBrokerOptions options) {
        this.options = options;
        this.keys = new Keys(options.prefix());
        this.controlChannel = keys.control();
        RedisUris.Parsed uris = RedisUris.parse(options.uris());
        this.resources = DefaultClientResources.builder()
                .reconnectDelay(Delay.exponential(Duration.ofMillis(50), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
                .build();
        this.owner = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "duplex-redis-delivery");
            t.setDaemon(true);
            return t;
        });
        this.client = RedisClient.create(resources);
        client.setOptions(clientOptions(options));
        Topology.Events events = new Topology.Events() {
            @Override
            public void message(PubSubShard shard, byte[] channel, byte[] message) {
                if (Arrays.equals(channel, controlChannel)) {
                    owner.execute(() -> {
                        Nodes n = nodes;
                        if (n != null) {
                            n.message(message);
                        }
                    });
                } else {
                    owner.execute(() -> feeds().message(channel, message));
                }
            }

            @Override
            public void subscribed(PubSubShard shard, byte[] channel) {
                if (!Arrays.equals(channel, controlChannel)) {
                    owner.execute(() -> feeds().subscribed(channel));
                }
            }
        };
        RedisClusterClient clusterClient = null;
        Topology made;
        try {
            if (uris.cluster()) {
                clusterClient = RedisClusterClient.create(resources, uris.uris());
                clusterClient.setOptions(ClusterClientOptions.builder(clientOptions(options)).build());
                made = new ClusterTopology(clusterClient, client, uris.uris().get(0), events);
            } else {
                made = new StandaloneTopology(client, uris.uris(), events);
            }
            checkVersions(made);
        } catch (RuntimeException e) {
            if (clusterClient != null) {
                clusterClient.shutdown();
            }
            client.shutdown();
            owner.shutdownNow();
            resources.shutdown();
            throw new IllegalStateException("Cannot use Redis at " + RedisUris.redacted(String.join(", ", options.uris()))
                    + ": " + rootMessage(e), e);
        }
        this.cluster = clusterClient;
        this.topology = made;
        this.feeds = new Feeds(keys, topology, owner, () -> listener, gaps::incrementAndGet);
        this.presence = new Presence(keys, topology, options.presenceTtl().toMillis());
        long check = options.checkInterval().toMillis();
        owner.scheduleWithFixedDelay(guarded(feeds::tick), check, check, TimeUnit.MILLISECONDS);
        long refresh = Math.max(100, options.presenceTtl().toMillis() / 3);
        owner.scheduleWithFixedDelay(guarded(presence::refresh), refresh, refresh, TimeUnit.MILLISECONDS);
    }

    /** A broker on these URIs with the default options. */
    public static RedisBroker connect(String... uris) {
        return new RedisBroker(RedisBrokerOptions.of(uris));
    }

    private Feeds feeds() {
        return feeds;
    }

    private static ClientOptions clientOptions(RedisBrokerOptions options) {
        return ClientOptions.builder()
                .protocolVersion(ProtocolVersion.RESP3) // commands in line with pub/sub messages
                .autoReconnect(true)
                // A command while Redis is away fails at once (the publisher learns it was not stored)
                // instead of waiting in a buffer, and nothing sent before a disconnect is sent again:
                // a publication is never run twice by the client on its own.
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .replayFilter(command -> true)
                .timeoutOptions(TimeoutOptions.enabled(options.commandTimeout()))
                .socketOptions(SocketOptions.builder().connectTimeout(options.commandTimeout()).keepAlive(true).build())
                .build();
    }

    private static void checkVersions(Topology topology) {
        for (PubSubShard shard : topology.shards()) {
            String info;
            try {
                info = new String(shard.commands().info("server").get(10, TimeUnit.SECONDS).getBytes(), java.nio.charset.StandardCharsets.UTF_8);
            } catch (Exception e) {
                throw new IllegalStateException("Redis at " + shard + " did not answer INFO: " + rootMessage(e), e);
            }
            String version = info.lines().filter(l -> l.startsWith("redis_version:")).map(l -> l.substring(14).strip())
                    .findFirst().orElse("0");
            int major;
            try {
                major = Integer.parseInt(version.split("\\.")[0]);
            } catch (NumberFormatException e) {
                major = 0;
            }
            if (major < 7) {
                throw new IllegalStateException("Redis at " + shard + " runs " + version
                        + "; Duplex needs Redis 7.0 or later (sharded pub/sub)");
            }
        }
    }

    // ---- the Broker contract

    @Override
    public void listener(BrokerListener value) {
        this.listener = value == null ? BrokerListener.NONE : value;
    }

    @Override
    public void attach(NodeAgent agent) {
        Nodes made = new Nodes(keys, topology, owner, agent, options.heartbeat().toMillis(), options.forgetNodesAfter().toMillis());
        try {
            made.start().get(options.commandTimeout().toMillis() * 2, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("Cannot subscribe to the control channel on Redis: " + rootMessage(e), e);
        }
        nodes = made;
        long heartbeat = options.heartbeat().toMillis();
        owner.scheduleWithFixedDelay(guarded(made::heartbeat), 0, heartbeat, TimeUnit.MILLISECONDS);
    }

    @Override
    public CompletableFuture<PublishResult> publish(PublishRequest request) {
        String channel = request.channel();
        HistoryOptions history = request.history();
        boolean dedup = request.idempotencyKey() != null && request.dedupWindow() != null && !request.dedupWindow().isZero();
        byte[][] scriptKeys = {keys.meta(channel), keys.stream(channel),
                dedup ? keys.messageId(channel, request.idempotencyKey()) : keys.meta(channel), keys.pubsub(channel)};
        byte[] entry = Entry.publication(request.data(), request.info(), request.key());
        return mapped(Script.PUBLISH.run(topology.commands(keys.base(channel)), scriptKeys, entry,
                Script.arg(history.size()), Script.arg(history.ttl().toMillis()), Script.arg(history.metaTtl().toMillis()),
                Script.arg(dedup ? Math.max(1, request.dedupWindow().toMillis()) : 0), Script.arg(newEpoch()))
                .thenApply(reply -> new PublishResult(Script.text(reply.get(0)), Script.number(reply.get(1)),
                        Script.number(reply.get(2)) == 1)));
    }

    @Override
    public CompletableFuture<Void> subscribe(String channel) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        owner.execute(() -> feeds.add(channel, done));
        return done;
    }

    @Override
    public CompletableFuture<Void> unsubscribe(String channel) {
        owner.execute(() -> feeds.remove(channel));
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<HistoryPage> history(String channel, StreamPosition since, int limit, HistoryOptions options) {
        return read(channel, since, limit, options, false);
    }

    @Override
    public CompletableFuture<HistoryPage> recover(String channel, StreamPosition since, int limit, HistoryOptions options) {
        long metaTtl = options.metaTtl().toMillis();
        owner.execute(() -> feeds.metaTtl(channel, metaTtl));
        return read(channel, since, limit, options, true);
    }

    private CompletableFuture<HistoryPage> read(String channel, StreamPosition since, int limit, HistoryOptions options, boolean create) {
        byte[][] args = StreamRead.args(create, newEpoch(), create ? options.metaTtl().toMillis() : 0,
                since == null ? -1 : since.offset(), since == null ? "*" : since.epoch(), limit, options.ttl().toMillis());
        return mapped(Script.READ.run(topology.commands(keys.base(channel)), new byte[][] {keys.meta(channel), keys.stream(channel)}, args)
                .thenApply(reply -> page(channel, since, StreamRead.parse(reply))));
    }

    /** The page a read makes, by the same rules as the in-memory broker's. */
    static HistoryPage page(String channel, StreamPosition since, StreamRead read) {
        if (read.epoch().isEmpty()) {
            return new HistoryPage("", 0, List.of(), since == null);
        }
        boolean recoverable = true;
        if (since != null) {
            boolean sameStream = since.epoch().equals(read.epoch()) || (since.epoch().isEmpty() && since.offset() == 0);
            recoverable = sameStream && since.offset() <= read.top() && since.offset() >= read.oldest() - 1;
        }
        List<Publication> publications = new ArrayList<>();
        if (recoverable) {
            long after = since == null ? 0 : since.offset();
            for (StreamRead.Entry e : read.entries()) {
                if (e.offset() > after) {
                    publications.add(Entry.publication(channel, e.offset(), e.bytes()));
                }
            }
        }
        return new HistoryPage(read.epoch(), read.top(), publications, recoverable);
    }

    @Override
    public void publishJoin(String channel, ClientInfo info) {
        announce(channel, 'J', info);
    }

    @Override
    public void publishLeave(String channel, ClientInfo info) {
        announce(channel, 'L', info);
    }

    private void announce(String channel, char kind, ClientInfo info) {
        byte[] member = Entry.member(info);
        byte[] message = new byte[member.length + 2];
        message[0] = (byte) kind;
        message[1] = '|';
        System.arraycopy(member, 0, message, 2, member.length);
        topology.commands(keys.base(channel)).spublish(keys.pubsub(channel), message);
    }

    @Override
    public CompletableFuture<Void> addPresence(String channel, ClientInfo info) {
        return onOwner(() -> presence.add(channel, info));
    }

    @Override
    public CompletableFuture<Void> removePresence(String channel, String clientId) {
        return onOwner(() -> presence.remove(channel, clientId));
    }

    @Override
    public CompletableFuture<List<ClientInfo>> presence(String channel) {
        return mapped(presence.members(channel));
    }

    @Override
    public CompletableFuture<Integer> disconnectUser(String user, boolean reconnect, String reason) {
        Nodes n = nodes;
        if (n == null) {
            return null;
        }
        return onOwner(() -> n.disconnectUser(user, reconnect, reason));
    }

    @Override
    public CompletableFuture<List<NodeStatus>> nodes() {
        Nodes n = nodes;
        return CompletableFuture.completedFuture(n == null ? List.of() : n.latest());
    }

    /** Gaps found: publications missed by this node that history could not give back. */
    public long gaps() {
        return gaps.get();
    }

    @Override
    public void close() {
        owner.shutdownNow();
        topology.close();
        if (cluster != null) {
            cluster.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

    // ---- helpers

    private <T> CompletableFuture<T> onOwner(java.util.function.Supplier<CompletableFuture<T>> work) {
        CompletableFuture<T> done = new CompletableFuture<>();
        owner.execute(() -> {
            try {
                work.get().whenComplete((value, failure) -> {
                    if (failure != null) {
                        done.completeExceptionally(Failures.map(failure));
                    } else {
                        done.complete(value);
                    }
                });
            } catch (RuntimeException e) {
                done.completeExceptionally(Failures.map(e));
            }
        });
        return done;
    }

    private static <T> CompletableFuture<T> mapped(CompletableFuture<T> future) {
        CompletableFuture<T> done = new CompletableFuture<>();
        future.whenComplete((value, failure) -> {
            if (failure != null) {
                done.completeExceptionally(Failures.map(failure));
            } else {
                done.complete(value);
            }
        });
        return done;
    }

    private static Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "A periodic task of the Redis broker failed", e);
            }
        };
    }

    /**
     * A candidate epoch, used by the script only when the stream has none. Every publication sends one,
     * so it comes from the calling thread's generator, with no lock: an epoch needs to differ from the
     * stream's earlier ones (63 random bits), not to be secret (clients see it).
     */
    private static String newEpoch() {
        return Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36);
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}

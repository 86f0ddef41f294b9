package dev.duplex.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.client.DuplexClient;
import dev.duplex.hub.HubConfig;
import dev.duplex.hub.NamespaceConfig;
import dev.duplex.hub.broker.redis.RedisBrokerOptions;
import dev.duplex.hub.protocol.ServerMessage;
import dev.duplex.websocket.WebSocketClient;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Nodes of one test on running Redis servers, and the clients the test connects to them (over one
 * {@link WebSocketClient} with one event loop). {@link #start} makes the nodes of the delivery
 * tests: every node gets the same URIs in the same order and a key prefix of this test's own, so
 * tests sharing the Redis servers share no channel. {@link #forFaults} makes those of the fault
 * tests ({@link ClusterNode#forFaults}). {@link #close()} stops every client, then every node,
 * whatever happened before.
 */
final class ClusterFixture implements AutoCloseable {
    /** The longest any condition of these tests is waited for. */
    static final Duration WAIT = Duration.ofSeconds(30);
    static final String API_KEY = "duplex-cluster-test-api-key-0123456789";

    private final Closer closer = new Closer();
    private final List<ClusterNode> nodes = new ArrayList<>();
    private final String prefix;
    private final WebSocketClient webSockets;

    private ClusterFixture(String prefix) {
        this.prefix = prefix;
        this.webSockets = closer.push(WebSocketClient.builder().eventLoops(1).build());
    }

    /** Starts {@code count} nodes of the delivery tests on {@code redis}, running {@link #config()}. */
    static ClusterFixture start(RedisTopology.Running redis, int count) throws Exception {
        String prefix = "t" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        return start(prefix, count, () -> ClusterNode.start(redis.uris(), prefix, config()));
    }

    /** Starts {@code count} nodes of the fault tests on Redis at {@code redisUri} (under the broker's default prefix). */
    static ClusterFixture forFaults(String redisUri, int count) throws Exception {
        return start(RedisBrokerOptions.DEFAULT_PREFIX, count, () -> ClusterNode.forFaults(redisUri));
    }

    private static ClusterFixture start(String prefix, int count, Supplier<ClusterNode> node) throws Exception {
        ClusterFixture fixture = new ClusterFixture(prefix);
        try {
            for (int i = 0; i < count; i++) {
                fixture.nodes.add(fixture.closer.push(node.get()));
            }
            return fixture;
        } catch (RuntimeException e) {
            fixture.close();
            throw e;
        }
    }

    /**
     * What every node of the delivery tests runs with: connection tokens required, the HTTP API on,
     * command rates out of the way of a publisher that sends hundreds of publications in a burst,
     * and history deep enough for every publication of a test.
     */
    static HubConfig config() {
        return HubConfig.builder()
                .anonymous(false)
                .tokens(ClusterTokens.verifier())
                .apiKey(API_KEY)
                .commandRate(100_000, 100_000)
                .userCommandRate(100_000, 100_000)
                .defaultNamespace(NamespaceConfig.builder().historySize(1_000).build())
                .build();
    }

    ClusterNode node(int index) {
        return nodes.get(index);
    }

    /** The Redis key prefix of this test's nodes. */
    String prefix() {
        return prefix;
    }

    /** A raw-protocol connection of {@code user} to {@code node} that keeps every message, connected. */
    WireClient wire(ClusterNode node, String user) throws Exception {
        WireClient client = closer.push(WireClient.recording(webSockets, ClusterTokens.token(user)));
        client.open(node.uri()).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        return client;
    }

    /** An anonymous raw-protocol connection to {@code node} that only sends commands, connected. */
    WireClient commands(ClusterNode node) throws Exception {
        WireClient client = closer.push(WireClient.commands(webSockets));
        client.open(node.uri()).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        return client;
    }

    /**
     * {@code count} raw-protocol subscribers of {@code channel}, on the nodes in turn (the first on
     * node 0), each connected and subscribed before the next: each reply must be {@code subscribed},
     * and {@code check} sees it.
     *
     * @param resumeTo where each resumes after its connection closed (null: stay closed)
     */
    List<WireClient> subscribers(String channel, int count, Function<WireClient, URI> resumeTo,
                                 Consumer<ServerMessage.Subscribed> check) throws Exception {
        List<WireClient> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            WireClient s = closer.push(WireClient.subscriber(webSockets, channel, resumeTo));
            out.add(s);
            ServerMessage reply = s.open(node(i % nodes.size()).uri()).thenCompose(c -> s.subscribe())
                    .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(reply).isInstanceOf(ServerMessage.Subscribed.class);
            check.accept((ServerMessage.Subscribed) reply);
        }
        return out;
    }

    /** A {@link DuplexClient} of {@code user} for {@code node}, not connected yet, reporting to {@code recorder}. */
    DuplexClient client(ClusterNode node, String user, ClientRecorder recorder) {
        DuplexClient client = DuplexClient.builder(node.uri().toString())
                .token(ClusterTokens.token(user))
                .webSocketClient(webSockets)
                .reconnectDelay(Duration.ofMillis(50), Duration.ofMillis(500))
                .commandTimeout(Duration.ofSeconds(15))
                .stateListener(recorder)
                .build();
        return closer.push(client);
    }

    /** Something the test started that must stop before the clients and nodes made so far: closed first. */
    <T extends AutoCloseable> T closeFirst(T resource) {
        return closer.push(resource);
    }

    @Override
    public void close() throws Exception {
        closer.close();
    }
}

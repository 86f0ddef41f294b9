package dev.duplex.cluster;

import dev.duplex.client.DuplexClient;
import dev.duplex.hub.HubConfig;
import dev.duplex.hub.NamespaceConfig;
import dev.duplex.websocket.WebSocketClient;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Nodes of one test on running Redis servers, and the clients the test connects to them. Every
 * node gets the same URIs in the same order and a key prefix of this test's own, so tests sharing
 * the Redis servers share no channel. {@link #close()} stops every client, then every node, whatever
 * happened before.
 */
final class ClusterFixture implements AutoCloseable {
    /** The longest any condition of these tests is waited for. */
    static final Duration WAIT = Duration.ofSeconds(30);
    static final String API_KEY = "duplex-cluster-test-api-key-0123456789";

    private final Deque<AutoCloseable> toClose = new ArrayDeque<>();
    private final List<ClusterNode> nodes = new ArrayList<>();
    private final String prefix = "t" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    private final WebSocketClient webSockets;

    private ClusterFixture() {
        this.webSockets = WebSocketClient.builder().eventLoops(1).build();
        toClose.push(webSockets);
    }

    /** Starts {@code count} nodes on {@code redis}. */
    static ClusterFixture start(RedisTopology.Running redis, int count) {
        ClusterFixture fixture = new ClusterFixture();
        try {
            for (int i = 0; i < count; i++) {
                ClusterNode node = ClusterNode.start(redis.uris(), fixture.prefix, config());
                fixture.toClose.push(node);
                fixture.nodes.add(node);
            }
            return fixture;
        } catch (RuntimeException e) {
            fixture.close();
            throw e;
        }
    }

    /**
     * What every node runs with: connection tokens required, the HTTP API on, command rates out of
     * the way of a publisher that sends hundreds of publications in a burst, and history deep enough
     * for every publication of a test.
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

    List<ClusterNode> nodes() {
        return List.copyOf(nodes);
    }

    /** The Redis key prefix of this test's nodes. */
    String prefix() {
        return prefix;
    }

    /** A raw-protocol connection of {@code user} to {@code node}, connected. */
    WireClient wire(ClusterNode node, String user) throws Exception {
        WireClient client = WireClient.connect(webSockets, node.port(), ClusterTokens.token(user));
        toClose.push(client);
        return client;
    }

    /** A {@link DuplexClient} of {@code user} for {@code node}, not connected yet, reporting to {@code recorder}. */
    DuplexClient client(ClusterNode node, String user, ClientRecorder recorder) {
        DuplexClient client = DuplexClient.builder(node.connectUri())
                .token(ClusterTokens.token(user))
                .webSocketClient(webSockets)
                .reconnectDelay(Duration.ofMillis(50), Duration.ofMillis(500))
                .commandTimeout(Duration.ofSeconds(15))
                .stateListener(recorder)
                .build();
        toClose.push(client);
        return client;
    }

    /** Something the test started that must stop before the clients and nodes made so far: closed first. */
    <T extends AutoCloseable> T closeFirst(T resource) {
        toClose.push(resource);
        return resource;
    }

    @Override
    public void close() {
        RuntimeException failure = null;
        while (!toClose.isEmpty()) {
            try {
                toClose.pop().close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = new IllegalStateException("Stopping the test cluster failed", e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}

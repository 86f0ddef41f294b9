package dev.duplex.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.duplex.hub.broker.Broker;
import dev.duplex.hub.broker.BrokerListener;
import dev.duplex.hub.broker.HistoryOptions;
import dev.duplex.hub.broker.HistoryPage;
import dev.duplex.hub.broker.MemoryBroker;
import dev.duplex.hub.broker.NodeAgent;
import dev.duplex.hub.broker.NodeStatus;
import dev.duplex.hub.broker.PublishRequest;
import dev.duplex.hub.broker.PublishResult;
import dev.duplex.hub.protocol.ClientInfo;
import dev.duplex.hub.protocol.Publication;
import dev.duplex.hub.protocol.StreamPosition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The cluster's nodes in {@code /metrics} and on the stats channel: with the in-memory broker this
 * node alone; with a broker that lists other nodes (alive and gone), every one of them, this node
 * first, and never more than {@link Hub#MAX_LISTED_NODES} label values.
 */
class ClusterNodesTest extends HubTestBase {
    private static final long WAIT_MILLIS = 10_000;

    private static HubConfig config() {
        return HubConfig.builder().namespace("m", NamespaceConfig.defaults())
                .namespace("hub", HubStatsPublisher.namespace()).build();
    }

    @Test
    void theInMemoryBrokerListsThisNodeWithItsConnectionsAndSubscriptions() throws Exception {
        start(config());
        TestHubClient a = connect();
        connect();
        a.subscribe("m:x");
        String id = hub().nodeId();
        String up = "duplex_cluster_node_up{node=\"" + id + "\"}";
        String connections = "duplex_cluster_node_connections{node=\"" + id + "\"}";
        String subscriptions = "duplex_cluster_node_subscriptions{node=\"" + id + "\"}";
        // The list is refreshed every second: wait until it saw both connections and the subscription.
        assertThat(eventually(WAIT_MILLIS, () -> {
            String s = hub().metrics().scrape();
            return Scrape.value(s, connections) == 2 && Scrape.value(s, subscriptions) == 1;
        })).as("the node's report in /metrics: " + hub().metrics().scrape()).isTrue();

        String scrape = hub().metrics().scrape();
        assertThat(Scrape.value(scrape, "duplex_cluster_nodes{state=\"alive\"}")).isEqualTo(1);
        assertThat(Scrape.value(scrape, "duplex_cluster_nodes{state=\"gone\"}")).isEqualTo(0);
        assertThat(scrape).contains("duplex_cluster_nodes{state=\"gone\"} 0.0\n");
        assertThat(Scrape.value(scrape, up)).isEqualTo(1);
        assertThat(Scrape.value(scrape, connections)).isEqualTo(2);
        assertThat(Scrape.value(scrape, subscriptions)).isEqualTo(1);
        assertThat(series(scrape, "duplex_cluster_node_up{")).containsExactly(up);
        assertThat(series(scrape, "duplex_cluster_node_uptime_seconds{"))
                .containsExactly("duplex_cluster_node_uptime_seconds{node=\"" + id + "\"}");

        BlockingQueue<Publication> stats = new LinkedBlockingQueue<>();
        try (AutoCloseable listening = hub().listen(HubStatsPublisher.CHANNEL, stats::add);
             HubStatsPublisher publisher = HubStatsPublisher.start(hub(), HubStatsPublisher.CHANNEL, Duration.ofMillis(50))) {
            JsonNode data = awaitStats(stats, d -> d.path("nodes").path(0).path("connections").asInt() == 2);
            assertThat(data.path("node").asText()).isEqualTo(id);
            assertThat(data.path("nodesAlive").asInt()).isEqualTo(1);
            assertThat(data.path("nodesGone").asInt()).isEqualTo(0);
            assertThat(data.path("nodes").size()).isEqualTo(1);
            JsonNode self = data.path("nodes").path(0);
            assertThat(fieldNames(self)).containsExactly("id", "self", "alive", "connections", "subscriptions",
                    "uptimeSeconds", "lastSeenMillis");
            assertThat(self.path("id").asText()).isEqualTo(id);
            assertThat(self.path("self").asBoolean()).isTrue();
            assertThat(self.path("alive").asBoolean()).isTrue();
            assertThat(self.path("subscriptions").asInt()).isEqualTo(1);
            assertThat(self.path("uptimeSeconds").isIntegralNumber()).isTrue();
            assertThat(self.path("lastSeenMillis").asLong()).isBetween(1L, data.path("time").asLong());
        }
    }

    @Test
    void everyNodeTheBrokerListsWithTheGoneOnesMarked() throws Exception {
        ListingBroker broker = track(new ListingBroker());
        start(HubServer.builder().config(config()).broker(broker));
        String self = hub().nodeId();
        long now = System.currentTimeMillis();
        broker.nodes = List.of(
                new NodeStatus("node-c", false, false, now - 60_000, report(3, 4, 500)),
                new NodeStatus("node-b", false, true, now - 1_000, report(7, 9, 120)),
                new NodeStatus(self, true, true, now, broker.agent.report()));

        assertThat(eventually(WAIT_MILLIS, () -> Scrape.value(hub(), "duplex_cluster_nodes{state=\"gone\"}") == 1))
                .as("the gone node in /metrics: " + hub().metrics().scrape()).isTrue();
        String scrape = hub().metrics().scrape();
        assertThat(Scrape.value(scrape, "duplex_cluster_nodes{state=\"alive\"}")).isEqualTo(2);
        assertThat(series(scrape, "duplex_cluster_node_up{")).containsExactlyInAnyOrder(
                "duplex_cluster_node_up{node=\"" + self + "\"}", "duplex_cluster_node_up{node=\"node-b\"}",
                "duplex_cluster_node_up{node=\"node-c\"}");
        assertThat(Scrape.value(scrape, "duplex_cluster_node_up{node=\"" + self + "\"}")).isEqualTo(1);
        assertThat(Scrape.value(scrape, "duplex_cluster_node_up{node=\"node-b\"}")).isEqualTo(1);
        assertThat(scrape).contains("duplex_cluster_node_up{node=\"node-c\"} 0.0\n");
        assertThat(Scrape.value(scrape, "duplex_cluster_node_connections{node=\"" + self + "\"}")).isEqualTo(0);
        assertThat(Scrape.value(scrape, "duplex_cluster_node_connections{node=\"node-b\"}")).isEqualTo(7);
        assertThat(Scrape.value(scrape, "duplex_cluster_node_connections{node=\"node-c\"}")).isEqualTo(3);
        assertThat(Scrape.value(scrape, "duplex_cluster_node_subscriptions{node=\"node-b\"}")).isEqualTo(9);
        assertThat(Scrape.value(scrape, "duplex_cluster_node_subscriptions{node=\"node-c\"}")).isEqualTo(4);
        assertThat(Scrape.value(scrape, "duplex_cluster_node_uptime_seconds{node=\"node-b\"}")).isEqualTo(120);
        assertThat(Scrape.value(scrape, "duplex_cluster_node_uptime_seconds{node=\"node-c\"}")).isEqualTo(500);

        BlockingQueue<Publication> stats = new LinkedBlockingQueue<>();
        try (AutoCloseable listening = hub().listen(HubStatsPublisher.CHANNEL, stats::add);
             HubStatsPublisher publisher = HubStatsPublisher.start(hub(), HubStatsPublisher.CHANNEL, Duration.ofMillis(50))) {
            JsonNode data = awaitStats(stats, d -> d.path("nodes").size() == 3);
            assertThat(data.path("nodesAlive").asInt()).isEqualTo(2);
            assertThat(data.path("nodesGone").asInt()).isEqualTo(1);
            JsonNode nodes = data.path("nodes");
            assertThat(nodes.path(0).path("id").asText()).isEqualTo(self);
            assertThat(nodes.path(0).path("self").asBoolean()).isTrue();
            // As JSON text: the numbers' node types depend on how the publication was carried.
            assertThat(nodes.path(1).toString()).isEqualTo(entry("node-b", true, 7, 9, 120, now - 1_000).toString());
            assertThat(nodes.path(2).toString()).isEqualTo(entry("node-c", false, 3, 4, 500, now - 60_000).toString());
        }
    }

    @Test
    void atMostMaxListedNodesGetLabelsThisNodeAndTheAliveOnesFirst() throws Exception {
        ListingBroker broker = track(new ListingBroker());
        start(HubServer.builder().config(config()).broker(broker));
        String self = hub().nodeId();
        long now = System.currentTimeMillis();
        List<NodeStatus> all = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            // Gone node g-i was last seen i seconds ago: the most recently seen are kept.
            all.add(new NodeStatus(String.format("g-%03d", i), false, false, now - 1_000L * i, report(0, 0, 1)));
        }
        for (int i = 0; i < 100; i++) {
            all.add(new NodeStatus(String.format("a-%03d", i), false, true, now, report(1, 1, 1)));
        }
        all.add(new NodeStatus(self, true, true, now, broker.agent.report()));
        broker.nodes = List.copyOf(all);

        assertThat(eventually(WAIT_MILLIS, () -> Scrape.value(hub(), "duplex_cluster_nodes{state=\"gone\"}") == 200))
                .as("the listed nodes in /metrics").isTrue();
        String scrape = hub().metrics().scrape();
        assertThat(Scrape.value(scrape, "duplex_cluster_nodes{state=\"alive\"}")).isEqualTo(101);
        List<String> expected = new ArrayList<>();
        expected.add("duplex_cluster_node_up{node=\"" + self + "\"}");
        for (int i = 0; i < 100; i++) {
            expected.add(String.format("duplex_cluster_node_up{node=\"a-%03d\"}", i));
        }
        for (int i = 0; i < Hub.MAX_LISTED_NODES - 101; i++) {
            expected.add(String.format("duplex_cluster_node_up{node=\"g-%03d\"}", i));
        }
        assertThat(series(scrape, "duplex_cluster_node_up{")).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(series(scrape, "duplex_cluster_node_connections{")).hasSize(Hub.MAX_LISTED_NODES);
        assertThat(series(scrape, "duplex_cluster_node_subscriptions{")).hasSize(Hub.MAX_LISTED_NODES);
        assertThat(series(scrape, "duplex_cluster_node_uptime_seconds{")).hasSize(Hub.MAX_LISTED_NODES);
    }

    // ---- helpers

    private static ObjectNode report(int connections, int subscriptions, long uptimeSeconds) {
        return JsonNodeFactory.instance.objectNode().put("connections", connections).put("subscriptions", subscriptions)
                .put("channels", subscriptions).put("uptimeSeconds", uptimeSeconds);
    }

    private static ObjectNode entry(String id, boolean alive, int connections, int subscriptions, long uptime, long lastSeen) {
        return JsonNodeFactory.instance.objectNode().put("id", id).put("self", false).put("alive", alive)
                .put("connections", connections).put("subscriptions", subscriptions).put("uptimeSeconds", uptime)
                .put("lastSeenMillis", lastSeen);
    }

    /** The series (name and labels) of the scrape that start with {@code prefix}. */
    private static List<String> series(String scrape, String prefix) {
        List<String> out = new ArrayList<>();
        for (String line : scrape.split("\n")) {
            if (line.startsWith(prefix)) {
                out.add(line.substring(0, line.lastIndexOf(' ')));
            }
        }
        return out;
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** The first stats publication that satisfies {@code condition}, within the deadline. */
    private static JsonNode awaitStats(BlockingQueue<Publication> stats, Predicate<JsonNode> condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
        List<JsonNode> seen = new ArrayList<>();
        while (true) {
            long left = deadline - System.nanoTime();
            Publication p = left > 0 ? stats.poll(left, TimeUnit.NANOSECONDS) : null;
            if (p == null) {
                throw new AssertionError("No stats publication as expected within " + WAIT_MILLIS + " ms; the last: "
                        + (seen.isEmpty() ? "none" : seen.get(seen.size() - 1)));
            }
            if (condition.test(p.data())) {
                return p.data();
            }
            seen.add(p.data());
        }
    }

    /** The in-memory broker, listing the nodes a test sets (as a broker of a cluster would). */
    private static final class ListingBroker implements Broker {
        final MemoryBroker memory = new MemoryBroker();
        volatile List<NodeStatus> nodes = List.of();
        volatile NodeAgent agent;

        @Override public void listener(BrokerListener listener) { memory.listener(listener); }
        @Override public CompletableFuture<PublishResult> publish(PublishRequest r) { return memory.publish(r); }
        @Override public CompletableFuture<Void> subscribe(String c) { return memory.subscribe(c); }
        @Override public CompletableFuture<Void> unsubscribe(String c) { return memory.unsubscribe(c); }
        @Override public CompletableFuture<HistoryPage> history(String c, StreamPosition s, int l, HistoryOptions o) {
            return memory.history(c, s, l, o);
        }
        @Override public CompletableFuture<HistoryPage> recover(String c, StreamPosition s, int l, HistoryOptions o) {
            return memory.recover(c, s, l, o);
        }
        @Override public void publishJoin(String c, ClientInfo i) { memory.publishJoin(c, i); }
        @Override public void publishLeave(String c, ClientInfo i) { memory.publishLeave(c, i); }
        @Override public CompletableFuture<Void> addPresence(String c, ClientInfo i) { return memory.addPresence(c, i); }
        @Override public CompletableFuture<Void> removePresence(String c, String id) { return memory.removePresence(c, id); }
        @Override public CompletableFuture<List<ClientInfo>> presence(String c) { return memory.presence(c); }
        @Override public void attach(NodeAgent node) { agent = node; }
        @Override public CompletableFuture<List<NodeStatus>> nodes() { return CompletableFuture.completedFuture(nodes); }
        @Override public void close() { memory.close(); }
    }
}

package dev.duplex.hub.broker.redis;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.duplex.hub.broker.NodeAgent;
import dev.duplex.hub.broker.NodeStatus;
import dev.duplex.testkit.RedisProcess;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The node registry and the control channel: every node listed with its report, a stopped one as gone, a request answered by all. */
class RedisNodesTest {

    /** A node's hub as the broker sees it: a fixed report and a count of disconnect requests per user. */
    static final class Agent implements NodeAgent {
        final String id;
        final int connectionsOfEachUser;
        final Map<String, Integer> asked = new ConcurrentHashMap<>();

        Agent(String id, int connectionsOfEachUser) {
            this.id = id;
            this.connectionsOfEachUser = connectionsOfEachUser;
        }

        @Override
        public String nodeId() {
            return id;
        }

        @Override
        public JsonNode report() {
            return JsonNodeFactory.instance.objectNode().put("id", id).put("connections", connectionsOfEachUser);
        }

        @Override
        public int disconnectLocally(String user, boolean reconnect, String reason) {
            asked.merge(user, 1, Integer::sum);
            return connectionsOfEachUser;
        }
    }

    static RedisBroker broker(RedisProcess redis, String prefix) {
        return new RedisBroker(RedisBrokerOptions.builder().uri(redis.uri()).prefix(prefix)
                .heartbeat(Duration.ofMillis(200)).build());
    }

    static List<NodeStatus> awaitNodes(RedisBroker broker, java.util.function.Predicate<List<NodeStatus>> condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        List<NodeStatus> nodes = broker.nodes().get(5, TimeUnit.SECONDS);
        while (!condition.test(nodes) && System.nanoTime() < deadline) {
            Thread.sleep(50); // heartbeats come every 200 ms
            nodes = broker.nodes().get(5, TimeUnit.SECONDS);
        }
        return nodes;
    }

    @Test
    void everyNodeIsListedAndAStoppedOneShowsAsGone() throws Exception {
        try (RedisProcess redis = RedisProcess.start()) {
            String prefix = "n" + UUID.randomUUID().toString().substring(0, 8);
            RedisBroker a = broker(redis, prefix);
            RedisBroker b = broker(redis, prefix);
            try {
                a.attach(new Agent("node-a", 2));
                b.attach(new Agent("node-b", 3));
                List<NodeStatus> both = awaitNodes(a, n -> n.size() == 2 && n.stream().allMatch(NodeStatus::alive));
                assertThat(both).extracting(NodeStatus::id).containsExactlyInAnyOrder("node-a", "node-b");
                assertThat(both).filteredOn(NodeStatus::self).extracting(NodeStatus::id).containsExactly("node-a");
                assertThat(both).filteredOn(n -> n.id().equals("node-b")).first()
                        .satisfies(n -> assertThat(n.report().path("connections").asInt()).isEqualTo(3));

                b.close(); // stops reporting, as a killed node would
                List<NodeStatus> after = awaitNodes(a, n -> n.stream().anyMatch(s -> s.id().equals("node-b") && !s.alive()));
                assertThat(after).filteredOn(n -> n.id().equals("node-b")).first().satisfies(n -> assertThat(n.alive()).isFalse());
                assertThat(after).filteredOn(n -> n.id().equals("node-a")).first().satisfies(n -> assertThat(n.alive()).isTrue());
            } finally {
                a.close();
                b.close();
            }
        }
    }

    @Test
    void aUserIsDisconnectedOnEveryNodeAndTheAnswersAreSummed() throws Exception {
        try (RedisProcess redis = RedisProcess.start()) {
            String prefix = "n" + UUID.randomUUID().toString().substring(0, 8);
            RedisBroker a = broker(redis, prefix);
            RedisBroker b = broker(redis, prefix);
            Agent agentA = new Agent("node-a", 2);
            Agent agentB = new Agent("node-b", 3);
            try {
                a.attach(agentA);
                b.attach(agentB);
                awaitNodes(a, n -> n.size() == 2 && n.stream().allMatch(NodeStatus::alive));
                int disconnected = a.disconnectUser("ann", true, "bye").get(10, TimeUnit.SECONDS);
                assertThat(disconnected).isEqualTo(5);
                assertThat(agentA.asked).containsEntry("ann", 1);
                assertThat(agentB.asked).containsEntry("ann", 1);
            } finally {
                a.close();
                b.close();
            }
        }
    }
}

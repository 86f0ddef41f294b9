package dev.duplex.hub.broker.redis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.duplex.hub.broker.NodeAgent;
import dev.duplex.hub.broker.NodeStatus;
import dev.duplex.hub.protocol.HubCodec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The nodes of the cluster and the control channel between them. Each node reports itself every
 * heartbeat into a registry in Redis (a hash of reports and a sorted set of when each was seen); a
 * node silent for three heartbeats is listed as gone, and forgotten later. Requests that concern
 * every node (disconnect a user everywhere) travel on the control channel, each node answers with
 * what it did, and the asking node sums the answers of the nodes alive when it asked, waiting at
 * most {@link #ANSWER_WAIT_MILLIS}. Confined to the delivery thread.
 */
final class Nodes {
    private static final System.Logger LOG = System.getLogger("dev.duplex.hub.broker.redis");
    private static final ObjectMapper JSON = HubCodec.JSON.mapper();
    /** How long a cluster-wide request waits for the nodes' answers. */
    static final long ANSWER_WAIT_MILLIS = 2_000;

    private final Keys keys;
    private final Topology topology;
    private final ScheduledExecutorService owner;
    private final NodeAgent agent;
    private final long heartbeatMillis;
    private final long forgetMillis;
    private final Map<String, Request> requests = new HashMap<>();
    private volatile List<NodeStatus> latest = List.of();

    Nodes(Keys keys, Topology topology, ScheduledExecutorService owner, NodeAgent agent, long heartbeatMillis, long forgetMillis) {
        this.keys = keys;
        this.topology = topology;
        this.owner = owner;
        this.agent = agent;
        this.heartbeatMillis = heartbeatMillis;
        this.forgetMillis = forgetMillis;
    }

    String self() {
        return agent.nodeId();
    }

    /** Subscribes to the control channel (completes when in place). */
    CompletableFuture<Void> start() {
        String base = keys.controlBase();
        return topology.pubsub(base).subscribe(keys.control());
    }

    /** Reports this node and reads everyone's reports. */
    void heartbeat() {
        JsonNode report = agent.report();
        Script.NODES.run(topology.commands(keys.controlBase()), new byte[][] {keys.nodes(), keys.nodesSeen()},
                Script.arg(self()), Keys.bytes(report.toString()), Script.arg(forgetMillis))
                .whenComplete((reply, failure) -> {
                    if (failure != null) {
                        LOG.log(System.Logger.Level.DEBUG, "Node heartbeat failed: " + failure);
                    } else {
                        latest = statuses(reply);
                    }
                });
    }

    private List<NodeStatus> statuses(List<Object> reply) {
        long now = Script.number(reply.get(0));
        List<NodeStatus> out = new ArrayList<>();
        for (int i = 1; i + 2 < reply.size(); i += 3) {
            String id = Script.text(reply.get(i));
            long seen = Script.number(reply.get(i + 1));
            JsonNode report;
            try {
                byte[] bytes = (byte[]) reply.get(i + 2);
                report = bytes.length == 0 ? JSON.createObjectNode() : JSON.readTree(bytes);
            } catch (IOException | ClassCastException e) {
                report = JSON.createObjectNode();
            }
            out.add(new NodeStatus(id, id.equals(self()), now - seen <= 3 * heartbeatMillis, seen, report));
        }
        return List.copyOf(out);
    }

    /** The nodes as of the last heartbeat. */
    List<NodeStatus> latest() {
        return latest;
    }

    // ---- requests to every node

    CompletableFuture<Integer> disconnectUser(String user, boolean reconnect, String reason) {
        String id = UUID.randomUUID().toString();
        Set<String> expected = new HashSet<>();
        for (NodeStatus n : latest) {
            if (n.alive()) {
                expected.add(n.id());
            }
        }
        expected.add(self());
        Request request = new Request(expected);
        requests.put(id, request);
        ObjectNode message = JSON.createObjectNode().put("t", "disconnect").put("id", id).put("from", self())
                .put("user", user).put("reconnect", reconnect);
        if (reason != null) {
            message.put("reason", reason);
        }
        send(message).whenComplete((v, failure) -> {
            if (failure != null) {
                owner.execute(() -> {
                    requests.remove(id);
                    request.done.completeExceptionally(Failures.map(failure));
                });
            }
        });
        owner.schedule(() -> finish(id), ANSWER_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        return request.done;
    }

    /** A message on the control channel. */
    void message(byte[] bytes) {
        JsonNode m;
        try {
            m = JSON.readTree(bytes);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "A control message Duplex did not write");
            return;
        }
        switch (m.path("t").asText()) {
            case "disconnect" -> {
                String reason = m.hasNonNull("reason") ? m.get("reason").asText() : null;
                int count = agent.disconnectLocally(m.path("user").asText(), m.path("reconnect").asBoolean(), reason);
                send(JSON.createObjectNode().put("t", "disconnected").put("id", m.path("id").asText())
                        .put("to", m.path("from").asText()).put("node", self()).put("count", count));
            }
            case "disconnected" -> {
                if (!self().equals(m.path("to").asText())) {
                    return;
                }
                Request request = requests.get(m.path("id").asText());
                if (request != null) {
                    request.count += m.path("count").asInt();
                    request.answered.add(m.path("node").asText());
                    if (request.answered.containsAll(request.expected)) {
                        finish(m.path("id").asText());
                    }
                }
            }
            default -> LOG.log(System.Logger.Level.DEBUG, "An unknown control message: " + m.path("t").asText());
        }
    }

    private void finish(String id) {
        Request request = requests.remove(id);
        if (request != null) {
            request.done.complete(request.count);
        }
    }

    private CompletableFuture<Void> send(JsonNode message) {
        return topology.commands(keys.controlBase()).spublish(keys.control(), Keys.bytes(message.toString()))
                .toCompletableFuture().thenApply(n -> null);
    }

    private static final class Request {
        final Set<String> expected;
        final Set<String> answered = new HashSet<>();
        final CompletableFuture<Integer> done = new CompletableFuture<>();
        int count;

        Request(Set<String> expected) {
            this.expected = expected;
        }
    }
}

package dev.duplex.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.duplex.hub.broker.KnownNodes;
import dev.duplex.hub.broker.NodeStatus;
import dev.duplex.hub.metrics.HubMetrics;
import dev.duplex.hub.session.HubSession;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Publishes the node's vital signs to a channel at a fixed interval, so that a dashboard can show
 * them to anyone allowed to subscribe, without the HTTP API's key:
 * <pre>
 * {"time":…,"connections":12,"channels":7,"messagesInPerSecond":40.0,"messagesOutPerSecond":310.0,
 *  "publicationsPerSecond":4.0,"errors":3,"disconnects":1,"queuedBytes":0,"oldestQueuedMillis":0,
 *  "node":"node-1x2y","nodesAlive":2,"nodesGone":1,
 *  "nodes":[{"id":"node-1x2y","self":true,"alive":true,"connections":12,"subscriptions":30,
 *            "uptimeSeconds":3600,"lastSeenMillis":…}, …]}
 * </pre>
 * {@code nodes} is the cluster as the hub last knew it ({@link Hub#knownNodes()}: this node first,
 * then the alive ones, then the gone ones, at most {@link KnownNodes#MAX_LISTED}); with the in-memory
 * broker, this node alone. A node's numbers are from its last report (null when it reported none).
 * The channel's namespace should let nobody else publish ({@link #namespace()}).
 */
public final class HubStatsPublisher implements AutoCloseable {
    /** The default channel, in the {@code hub} namespace. */
    public static final String CHANNEL = "hub:stats";
    private static final System.Logger LOG = System.getLogger("dev.duplex.hub");

    /** What each node's entry takes from the node's report. */
    private static final String[] REPORTED = {"connections", "subscriptions", "uptimeSeconds"};

    private final Hub hub;
    private final String channel;
    private final ScheduledExecutorService thread;
    private HubMetrics.Totals last;
    private long lastNanos;

    private HubStatsPublisher(Hub hub, String channel, Duration interval) {
        this.hub = hub;
        this.channel = channel;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "duplex-hub-stats");
            t.setDaemon(true);
            return t;
        });
        this.last = hub.metrics().totals();
        this.lastNanos = System.nanoTime();
        thread.scheduleAtFixedRate(this::publish, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    public static HubStatsPublisher start(Hub hub, String channel, Duration interval) {
        return new HubStatsPublisher(hub, channel, interval);
    }

    /** The namespace for the stats channel: latest value, a few minutes of history, read-only. */
    public static NamespaceConfig namespace() {
        return NamespaceConfig.builder().mode(DeliveryMode.LATEST).historySize(120).historyTtl(Duration.ofMinutes(5))
                .presence(false).joinLeave(false).publish(Access.NOBODY)
                .slowConsumer(SlowConsumerPolicy.LATEST_PER_KEY).build();
    }

    private void publish() {
        try {
            long now = System.nanoTime();
            HubMetrics.Totals totals = hub.metrics().totals();
            double seconds = Math.max(1e-3, (now - lastNanos) / 1e9);
            long queued = 0;
            long oldest = 0;
            for (HubSession.Stats s : hub.connections()) {
                queued += s.queuedBytes();
                oldest = Math.max(oldest, s.oldestQueuedMillis());
            }
            ObjectNode data = JsonNodeFactory.instance.objectNode()
                    .put("time", System.currentTimeMillis())
                    .put("connections", hub.connectionCount())
                    .put("channels", hub.channels().size())
                    .put("messagesInPerSecond", rate(totals.messagesIn() - last.messagesIn(), seconds))
                    .put("messagesOutPerSecond", rate(totals.messagesOut() - last.messagesOut(), seconds))
                    .put("publicationsPerSecond", rate(totals.publications() - last.publications(), seconds))
                    .put("errors", totals.errors())
                    .put("disconnects", totals.disconnects())
                    .put("queuedBytes", queued)
                    .put("oldestQueuedMillis", oldest);
            KnownNodes known = hub.knownNodes();
            data.put("node", hub.nodeId()).put("nodesAlive", known.alive()).put("nodesGone", known.gone());
            ArrayNode nodes = data.putArray("nodes");
            for (NodeStatus n : known.nodes()) {
                ObjectNode node = nodes.addObject().put("id", n.id()).put("self", n.self()).put("alive", n.alive());
                for (String field : REPORTED) {
                    JsonNode value = n.report() == null ? null : n.report().get(field);
                    node.set(field, value != null && value.isNumber() ? value : JsonNodeFactory.instance.nullNode());
                }
                node.put("lastSeenMillis", n.lastSeenMillis());
            }
            last = totals;
            lastNanos = now;
            hub.publish(channel, data, null);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "Publishing hub stats failed", e);
        }
    }

    private static double rate(long delta, double seconds) {
        return Math.round(delta / seconds * 10) / 10.0;
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}

package dev.duplex.hub.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import dev.duplex.hub.SlowConsumerPolicy;
import dev.duplex.hub.broker.KnownNodes;
import dev.duplex.hub.broker.NodeStatus;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;

/**
 * The hub's Prometheus metrics, in a registry of its own (so two hubs in one JVM don't mix). Every
 * name starts with {@code duplex_}; {@link #scrape()} renders the text exposition format served at
 * {@code /metrics}.
 */
public final class HubMetrics {
    private final PrometheusRegistry registry = new PrometheusRegistry();

    private final Gauge connections = Gauge.builder().name("duplex_connections")
            .help("Connections that sent connect and are open").register(registry);
    private final Counter connectionsTotal = Counter.builder().name("duplex_connects_total")
            .help("Connections that sent connect, since start").register(registry);
    private final Gauge subscriptions = Gauge.builder().name("duplex_subscriptions")
            .help("Channel subscriptions of open connections").register(registry);
    private final Counter messagesIn = Counter.builder().name("duplex_messages_received_total")
            .help("Commands received from clients").register(registry);
    private final Counter bytesIn = Counter.builder().name("duplex_received_bytes_total")
            .help("Bytes of commands received from clients").register(registry);
    private final Counter messagesOut = Counter.builder().name("duplex_messages_sent_total")
            .help("Messages handed to client sockets (replies and publications)").register(registry);
    private final Counter bytesOut = Counter.builder().name("duplex_sent_bytes_total")
            .help("Bytes of messages handed to client sockets").register(registry);
    private final Counter publications = Counter.builder().name("duplex_publications_total")
            .help("Publications accepted, by whether they were duplicates of an earlier message id")
            .labelNames("duplicate").register(registry);
    private final Counter errors = Counter.builder().name("duplex_errors_total")
            .help("Error replies sent, by code").labelNames("code").register(registry);
    private final Counter disconnects = Counter.builder().name("duplex_disconnects_total")
            .help("Connections the hub disconnected, by disconnect code").labelNames("code").register(registry);
    private final Counter recoveries = Counter.builder().name("duplex_recoveries_total")
            .help("Subscriptions that asked to recover, by outcome").labelNames("outcome").register(registry);
    private final Counter capacityRefusals = Counter.builder().name("duplex_capacity_refusals_total")
            .help("Publications and subscriptions refused because a node-wide budget was spent, by limit")
            .labelNames("limit").register(registry);
    private final Counter brokerUnavailable = Counter.builder().name("duplex_broker_unavailable_total")
            .help("Commands answered with error 116 because the broker (Redis) could not be reached").register(registry);
    private final Counter slowConsumers = Counter.builder().name("duplex_slow_consumer_total")
            .help("Slow-consumer actions: disconnects, or publications dropped, by policy").labelNames("policy").register(registry);
    private final Histogram timeInQueue = Histogram.builder().name("duplex_time_in_queue_seconds")
            .help("Time a message waited in the hub's outbound queue before reaching the socket")
            .classicUpperBounds(0.0001, 0.001, 0.01, 0.05, 0.1, 0.5, 1, 5, 30).register(registry);

    // Totals across labels, for the stats channel and API (Prometheus keeps them per label).
    private final LongAdder errorTotal = new LongAdder();
    private final LongAdder publicationTotal = new LongAdder();
    private final LongAdder disconnectTotal = new LongAdder();

    /** Running totals since start, for rates in the stats channel. */
    public record Totals(long messagesIn, long messagesOut, long bytesIn, long bytesOut, long publications,
                         long errors, long disconnects) {
    }

    public Totals totals() {
        return new Totals((long) messagesIn.get(), (long) messagesOut.get(), (long) bytesIn.get(), (long) bytesOut.get(),
                publicationTotal.sum(), errorTotal.sum(), disconnectTotal.sum());
    }

    /** Registers a gauge computed at scrape time (queued bytes, channels, …). */
    public void gauge(String name, String help, DoubleSupplier value) {
        GaugeWithCallback.builder().name(name).help(help)
                .callback(callback -> callback.call(value.getAsDouble())).register(registry);
    }

    /**
     * Registers the cluster's gauges, computed at scrape time from {@code nodes} (the hub's last
     * known node list, which it refreshes on its timer: a scrape never waits for the broker):
     * {@code duplex_cluster_nodes{state}} counts every node, alive or gone; per listed node (at most
     * {@link KnownNodes#MAX_LISTED}, so at most that many label values) {@code duplex_cluster_node_up}
     * (1 alive, 0 gone) and, from its last report, {@code duplex_cluster_node_connections},
     * {@code duplex_cluster_node_subscriptions} and {@code duplex_cluster_node_uptime_seconds}.
     */
    public void clusterNodes(Supplier<KnownNodes> nodes) {
        GaugeWithCallback.builder().name("duplex_cluster_nodes")
                .help("Nodes of the cluster known to this node, by state: alive, or gone (forgotten after a while)")
                .labelNames("state")
                .callback(callback -> {
                    KnownNodes known = nodes.get();
                    callback.call(known.alive(), "alive");
                    callback.call(known.gone(), "gone");
                }).register(registry);
        GaugeWithCallback.builder().name("duplex_cluster_node_up")
                .help("1 while the node reports itself, 0 once it is gone").labelNames("node")
                .callback(callback -> {
                    for (NodeStatus n : nodes.get().nodes()) {
                        callback.call(n.alive() ? 1 : 0, n.id());
                    }
                }).register(registry);
        reported(nodes, "duplex_cluster_node_connections", "Open hub connections of the node, as it last reported",
                "connections");
        reported(nodes, "duplex_cluster_node_subscriptions", "Channel subscriptions on the node, as it last reported",
                "subscriptions");
        reported(nodes, "duplex_cluster_node_uptime_seconds", "Seconds the node had been up, as it last reported",
                "uptimeSeconds");
    }

    /** A per-node gauge of a number in the nodes' reports; a node whose report lacks it has no series. */
    private void reported(Supplier<KnownNodes> nodes, String name, String help, String field) {
        GaugeWithCallback.builder().name(name).help(help).labelNames("node")
                .callback(callback -> {
                    for (NodeStatus n : nodes.get().nodes()) {
                        JsonNode value = n.report() == null ? null : n.report().get(field);
                        if (value != null && value.isNumber()) {
                            callback.call(value.asDouble(), n.id());
                        }
                    }
                }).register(registry);
    }

    public void commandReceived(int bytes) {
        messagesIn.inc();
        bytesIn.inc(bytes);
    }

    public void sent(int bytes, long nanosInQueue) {
        messagesOut.inc();
        bytesOut.inc(bytes);
        timeInQueue.observe(nanosInQueue / 1e9);
    }

    public void connected() {
        connections.inc();
        connectionsTotal.inc();
    }

    public void connectionClosed() {
        connections.dec();
    }

    public void subscribed() {
        subscriptions.inc();
    }

    public void unsubscribed() {
        subscriptions.dec();
    }

    public void published(boolean duplicate) {
        publications.labelValues(Boolean.toString(duplicate)).inc();
        if (!duplicate) {
            publicationTotal.increment();
        }
    }

    /** An error reply was sent. */
    public void errorReply(int code) {
        errors.labelValues(Integer.toString(code)).inc();
        errorTotal.increment();
    }

    public void disconnected(int code) {
        disconnects.labelValues(Integer.toString(code)).inc();
        disconnectTotal.increment();
    }

    public void recovery(boolean succeeded) {
        recoveries.labelValues(succeeded ? "recovered" : "failed").inc();
    }

    /** A publication or subscription was refused: {@code limit} is {@code history_memory} or {@code streams}. */
    public void capacityRefused(String limit) {
        capacityRefusals.labelValues(limit).inc();
    }

    /** A command failed because the broker could not be reached (error 116). */
    public void brokerUnavailable() {
        brokerUnavailable.inc();
    }

    public void slowConsumer(SlowConsumerPolicy policy, long count) {
        slowConsumers.labelValues(policy.name().toLowerCase(Locale.ROOT)).inc(count);
    }

    /** The current values in Prometheus text format 0.0.4. */
    public String scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        try {
            new PrometheusTextFormatWriter(false).write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The content type of {@link #scrape()}. */
    public static String contentType() {
        return PrometheusTextFormatWriter.CONTENT_TYPE;
    }
}

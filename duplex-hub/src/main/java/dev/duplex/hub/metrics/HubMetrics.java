package dev.duplex.hub.metrics;

import dev.duplex.hub.SlowConsumerPolicy;
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

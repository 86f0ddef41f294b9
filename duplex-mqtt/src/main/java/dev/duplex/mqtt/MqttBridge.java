package dev.duplex.mqtt;

import com.fasterxml.jackson.databind.JsonNode;
import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttClientState;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.lifecycle.MqttClientDisconnectedContext;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserProperty;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import dev.duplex.hub.Hub;
import dev.duplex.hub.NamespaceConfig;
import dev.duplex.hub.protocol.Publication;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Bridges a {@link Hub} and an MQTT 5 broker with the default mapping ({@link MqttMapping}): every
 * message on a topic the import filter matches is published to hub channel {@code mqtt:T}, and every
 * hub publication on {@code mqtt:T} for an exported topic {@code T} is published to {@code T}. QoS 1
 * both ways; payloads by {@link MqttPayloads}; no loops ({@link Loops}).
 *
 * <p>The HiveMQ MQTT client does the I/O on its own threads; nothing the bridge runs on them or on
 * the hub's publishing thread blocks (only {@link #close()} waits, for the DISCONNECT). The bridge
 * reconnects (100 ms doubling up to 5 s apart) until closed, and subscribes again on every
 * connection (each starts a clean session). An incoming message is acknowledged (PUBACK) only after the hub stored it, or
 * refused it (counted in {@link #importFailures()}). A retained message is imported like any other
 * when the subscription delivers it, so it is the channel's latest value (give the namespace
 * history: {@link #namespace()}).
 *
 * <p>Not yet: a hub publisher's ack does not wait for the MQTT broker's PUBACK (the hub's
 * server-side API acks when the hub stored a publication and lets a listener see it only after);
 * QoS 1 redeliveries (DUP) are not merged; an empty retained message is imported as an empty
 * string, not as a cleared value.
 */
public final class MqttBridge implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(MqttBridge.class.getName());

    private final Hub hub;
    private final MqttBridgeOptions options;
    private final Loops loops;
    private final Set<String> exportedChannels = new HashSet<>();
    private final Mqtt5AsyncClient client;
    private final List<AutoCloseable> listeners = new ArrayList<>();
    private final CompletableFuture<Void> subscribed = new CompletableFuture<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicLong subscriptions = new AtomicLong();
    private final AtomicLong imported = new AtomicLong();
    private final AtomicLong exported = new AtomicLong();
    private final AtomicLong ownDropped = new AtomicLong();
    private final AtomicLong importFailures = new AtomicLong();
    private final AtomicLong exportFailures = new AtomicLong();

    private MqttBridge(Hub hub, MqttBridgeOptions options) {
        this.hub = hub;
        this.options = options;
        this.loops = new Loops(options.origin(), options.maxPendingImports());
        for (String topic : options.exportTopics()) {
            exportedChannels.add(MqttMapping.channelOf(topic));
        }
        this.client = MqttClient.builder().useMqttVersion5()
                .identifier(options.clientId())
                .serverHost(options.host())
                .serverPort(options.port())
                .addConnectedListener(context -> connected())
                .addDisconnectedListener(this::disconnected)
                .buildAsync();
    }

    /**
     * Starts a bridge: listens to the exported channels, connects, subscribes. The future completes
     * when the first subscription is acknowledged; the bridge keeps reconnecting until closed.
     */
    public static MqttBridge start(Hub hub, MqttBridgeOptions options) {
        MqttBridge bridge = new MqttBridge(hub, options);
        bridge.client.publishes(MqttGlobalPublishFilter.SUBSCRIBED, bridge::onMqtt, true);
        for (String topic : options.exportTopics()) {
            String channel = MqttMapping.channelOf(topic);
            bridge.listeners.add(hub.listen(channel, publication -> bridge.onHub(topic, publication)));
        }
        bridge.client.connectWith().cleanStart(true).keepAlive(30).send().whenComplete((ack, failure) -> {
            if (failure != null) {
                LOG.log(Level.WARNING, "MQTT bridge " + options.clientId() + ": cannot connect to " + options.host() + ":"
                        + options.port() + " (" + failure.getMessage() + "); retrying");
            }
        });
        return bridge;
    }

    /** The namespace {@code mqtt} as the bridge needs it: a history of 1, so the latest value reaches a new subscriber. */
    public static NamespaceConfig namespace() {
        return NamespaceConfig.builder().historySize(1).build();
    }

    /** Completes when the bridge's first MQTT subscription is in place. */
    public CompletableFuture<Void> ready() {
        return subscribed;
    }

    /** On the client's thread: a connection is up; subscribe on it (each starts a clean session), unless closed meanwhile. */
    private void connected() {
        if (closed.get()) {
            client.disconnect();
            return;
        }
        subscribe();
    }

    /**
     * On the client's thread: the connection is lost or could not be made. Reconnects 100 ms, 200 ms…
     * up to 5 s apart until the bridge is closed. (The client's own automatic reconnect would go on
     * after {@code disconnect()} on a bridge closed while reconnecting.)
     */
    private void disconnected(MqttClientDisconnectedContext context) {
        if (closed.get()) {
            context.getReconnector().reconnect(false);
            return;
        }
        int attempts = Math.min(context.getReconnector().getAttempts(), 6);
        long delayMillis = Math.min(100L << attempts, 5_000L);
        context.getReconnector().reconnect(true).delay(delayMillis, TimeUnit.MILLISECONDS);
    }

    private void subscribe() {
        client.subscribeWith().topicFilter(options.importFilter()).qos(MqttQos.AT_LEAST_ONCE).noLocal(true).send()
                .whenComplete((ack, failure) -> {
                    if (failure != null) {
                        LOG.log(Level.WARNING, "MQTT bridge " + options.clientId() + ": subscription to "
                                + options.importFilter() + " failed: " + failure.getMessage());
                        subscribed.completeExceptionally(failure);
                    } else {
                        subscriptions.incrementAndGet();
                        subscribed.complete(null);
                    }
                });
    }

    /** On the MQTT client's thread: a message to import. */
    private void onMqtt(Mqtt5Publish message) {
        for (Mqtt5UserProperty property : message.getUserProperties().asList()) {
            if (property.getName().toString().equals(Loops.ORIGIN_PROPERTY)
                    && loops.exportedByUs(property.getValue().toString())) {
                ownDropped.incrementAndGet();
                message.acknowledge();
                return;
            }
        }
        String topic = message.getTopic().toString();
        String problem = MqttMapping.problem(topic);
        if (problem != null) {
            importFailures.incrementAndGet();
            LOG.log(Level.FINE, "MQTT bridge: not imported: " + problem);
            message.acknowledge();
            return;
        }
        String channel = MqttMapping.channelOf(topic);
        JsonNode data = MqttPayloads.toData(message.getPayloadAsBytes());
        boolean watched = exportedChannels.contains(channel);
        if (watched && !loops.importing(channel, data)) {
            importFailures.incrementAndGet(); // too many imports pending: the hub is not keeping up
            message.acknowledge();
            return;
        }
        CompletableFuture<?> published;
        try {
            published = hub.publish(channel, data, null);
        } catch (RuntimeException e) {
            published = CompletableFuture.failedFuture(e);
        }
        published.whenComplete((result, failure) -> {
            if (failure != null) {
                if (watched) {
                    loops.forget(channel, data);
                }
                importFailures.incrementAndGet();
                LOG.log(Level.FINE, "MQTT bridge: hub refused " + channel + ": " + failure.getMessage());
            } else {
                imported.incrementAndGet();
            }
            message.acknowledge();
        });
    }

    /** On the publishing thread: a hub publication to export, unless it is one of our imports. */
    private void onHub(String topic, Publication publication) {
        if (closed.get() || loops.wasImported(publication.channel(), publication.data())) {
            return;
        }
        byte[] payload = MqttPayloads.toPayload(publication.data());
        client.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(payload)
                .userProperties().add(Loops.ORIGIN_PROPERTY, loops.origin()).applyUserProperties()
                .send().whenComplete((result, failure) -> {
                    if (failure != null || result.getError().isPresent()) {
                        exportFailures.incrementAndGet();
                    } else {
                        exported.incrementAndGet();
                    }
                });
    }

    /** Subscriptions the MQTT broker acknowledged: one per connection, so each reconnection adds one. */
    public long subscriptions() {
        return subscriptions.get();
    }

    /** MQTT messages published to the hub. */
    public long imported() {
        return imported.get();
    }

    /** Hub publications the MQTT broker acknowledged (PUBACK). */
    public long exported() {
        return exported.get();
    }

    /** Incoming MQTT messages dropped because this bridge exported them. */
    public long ownDropped() {
        return ownDropped.get();
    }

    /** MQTT messages not imported: a topic that is not bridged, the hub refused, too many pending. */
    public long importFailures() {
        return importFailures.get();
    }

    /** Hub publications the MQTT broker did not acknowledge. */
    public long exportFailures() {
        return exportFailures.get();
    }

    /** The MQTT client's state: connected, reconnecting, disconnected… (for tests and diagnostics). */
    public MqttClientState state() {
        return client.getState();
    }

    /** Imports published to the hub that the export listener has not seen yet. */
    public int pendingImports() {
        return loops.pending();
    }

    /**
     * Stops listening to the hub and disconnects (waits up to 5 s for the DISCONNECT to be sent); a
     * bridge that is reconnecting stops trying.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (AutoCloseable listener : listeners) {
            try {
                listener.close();
            } catch (Exception e) {
                LOG.log(Level.FINE, "closing a hub listener", e);
            }
        }
        try {
            client.disconnect().get(5, TimeUnit.SECONDS);
        } catch (Exception notConnected) {
            // not connected (or reconnecting): nothing to say goodbye on; disconnected() stops the reconnecting
        }
    }
}

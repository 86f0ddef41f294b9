package dev.duplex.mqtt;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * How an {@link MqttBridge} reaches its MQTT broker and what it bridges.
 *
 * @param host the MQTT broker's host
 * @param port its port (1883 for plain MQTT)
 * @param clientId the MQTT client identifier
 * @param origin the value of the {@value Loops#ORIGIN_PROPERTY} user property on what this bridge exports
 * @param importFilter the MQTT topic filter the bridge subscribes to ({@code #}: every topic but {@code $…})
 * @param exportTopics the topics {@code T} whose hub channel {@code mqtt:T} is published to MQTT: the
 *        hub's server-side API listens to named channels only, not to a namespace
 * @param maxPendingImports imports published to the hub and not yet seen back by the export listener
 */
public record MqttBridgeOptions(String host, int port, String clientId, String origin, String importFilter,
                                List<String> exportTopics, int maxPendingImports) {

    public MqttBridgeOptions {
        Objects.requireNonNull(host, "host");
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("port must be 1–65535: " + port);
        }
        if (clientId == null || clientId.isEmpty() || clientId.length() > 128) {
            throw new IllegalArgumentException("clientId must be 1–128 characters");
        }
        if (importFilter == null || importFilter.isEmpty() || importFilter.length() > MqttMapping.MAX_TOPIC_LENGTH) {
            throw new IllegalArgumentException("importFilter must be 1–" + MqttMapping.MAX_TOPIC_LENGTH + " characters");
        }
        exportTopics = List.copyOf(exportTopics);
        exportTopics.forEach(MqttMapping::checkTopic);
        if (maxPendingImports < 1 || maxPendingImports > 1_000_000) {
            throw new IllegalArgumentException("maxPendingImports must be 1–1000000: " + maxPendingImports);
        }
        new Loops(origin, 1); // checks origin
    }

    /** A bridge to {@code host:port} importing every topic and exporting none; a random client id and origin. */
    public static MqttBridgeOptions of(String host, int port) {
        String id = "duplex-" + UUID.randomUUID().toString().substring(0, 8);
        return new MqttBridgeOptions(host, port, id, id, "#", List.of(), 10_000);
    }

    /** These options, also exporting {@code mqtt:T} for each topic {@code T}. */
    public MqttBridgeOptions exporting(String... topics) {
        List<String> all = new ArrayList<>(exportTopics);
        all.addAll(List.of(topics));
        return new MqttBridgeOptions(host, port, clientId, origin, importFilter, all, maxPendingImports);
    }

    /** These options with another import filter. */
    public MqttBridgeOptions importing(String filter) {
        return new MqttBridgeOptions(host, port, clientId, origin, filter, exportTopics, maxPendingImports);
    }
}

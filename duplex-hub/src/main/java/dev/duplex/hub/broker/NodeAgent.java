package dev.duplex.hub.broker;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a broker that connects several nodes needs from the hub of this node: its id, a report of
 * itself for the others (connections, subscriptions, uptime…), and a way to apply what another
 * node asks of it. The hub gives one to its broker at start ({@link Broker#attach}).
 */
public interface NodeAgent {
    /** This node's id, unique in the cluster. */
    String nodeId();

    /** This node as the others see it in their stats: a JSON object. */
    JsonNode report();

    /** Disconnects the connections of {@code user} on this node; returns how many. */
    int disconnectLocally(String user, boolean reconnect, String reason);
}

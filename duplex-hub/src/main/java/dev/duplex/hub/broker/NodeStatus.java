package dev.duplex.hub.broker;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A node of the cluster as the broker knows it: its id, whether it is this node, whether it reported
 * lately ({@code alive}; a node that stopped reporting is listed as gone for a while, then
 * forgotten), when it was last seen (epoch ms) and its last report.
 */
public record NodeStatus(String id, boolean self, boolean alive, long lastSeenMillis, JsonNode report) {
}

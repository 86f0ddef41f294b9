package dev.duplex.hub.session;

import dev.duplex.hub.HubConfig;
import dev.duplex.hub.broker.Broker;
import dev.duplex.hub.metrics.HubMetrics;

/**
 * What a {@link HubSession} needs from the node it runs on: its configuration, the broker, the
 * metrics, the clocks, and the node's shared registries (channels, users, sessions, frame traces),
 * each safe for use from every session's thread. The {@code Hub} builds one; tests build their own.
 */
public record SessionContext(HubConfig config, Broker broker, HubMetrics metrics, HubClock clock,
                             ChannelRegistry channels, UserRegistry users, SessionDirectory sessions, TraceGraph traces) {
}

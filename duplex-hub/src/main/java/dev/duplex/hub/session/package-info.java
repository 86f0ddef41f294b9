/**
 * One client connection without I/O: {@link dev.duplex.hub.session.HubSession} takes commands and
 * gives replies and pushes to a {@link dev.duplex.hub.session.SessionTransport}, split by concern
 * (identity, subscriptions with recovery, publish, the outbound queue, traces). A session is owned
 * by its connection's event loop; the node's shared registries (channels, users, sessions, traces)
 * are the only thread-safe parts.
 */
package dev.duplex.hub.session;

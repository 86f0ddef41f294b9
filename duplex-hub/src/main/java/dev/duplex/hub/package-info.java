/**
 * The real-time hub of one node: {@link dev.duplex.hub.Hub} (connections, local fan-out, the
 * server-side API), {@link dev.duplex.hub.HubServer} to run it on a port, {@link
 * dev.duplex.hub.HubEndpoint} to mount it on any WebSocket server, and the configuration ({@link
 * dev.duplex.hub.HubConfig}, {@link dev.duplex.hub.NamespaceConfig}).
 */
package dev.duplex.hub;

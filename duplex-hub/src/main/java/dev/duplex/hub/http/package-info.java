/**
 * The hub's HTTP endpoints on the WebSocket port: {@code /health}, {@code /ready}, Prometheus
 * {@code /metrics}, and the key-protected {@code /api/*} (publish, broadcast, presence, history,
 * disconnect, channels, stats).
 */
package dev.duplex.hub.http;

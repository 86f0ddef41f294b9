/**
 * The fuzzing peers: {@link dev.duplex.conformance.fuzzing.FuzzingClient} tests a WebSocket server
 * and {@link dev.duplex.conformance.fuzzing.FuzzingServer} a WebSocket client, each with its own
 * handshake, frame encoder and parser (nothing shared with the engine under test), on loopback.
 */
package dev.duplex.conformance.fuzzing;

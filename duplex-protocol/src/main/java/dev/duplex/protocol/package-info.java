/**
 * One WebSocket connection after the opening handshake, without I/O (RFC 6455, RFC 7692 at the
 * message level): {@link dev.duplex.protocol.Connection} takes the bytes read from a socket and
 * reports what it found to a {@link dev.duplex.protocol.ConnectionListener}; its send methods
 * append frames to a {@link dev.duplex.protocol.ByteOutput}. Both are passed in on every call and
 * belong to the caller, so the engine holds no reference to anyone's output or listener between
 * calls. Also here: the close codes and their rules ({@link dev.duplex.protocol.CloseCodes}),
 * inbound limits, memory budgets, frames prepared once for fan-out, frame tracing, and the
 * engine's defaults ({@link dev.duplex.protocol.ProtocolDefaults}).
 *
 * <p>Nothing here is thread safe; a connection is driven by one thread at a time.
 */
package dev.duplex.protocol;

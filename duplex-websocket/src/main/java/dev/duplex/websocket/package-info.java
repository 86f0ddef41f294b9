/**
 * The WebSocket server and client: eight types, all a user needs.
 * {@link dev.duplex.websocket.WebSocketServer} and {@link dev.duplex.websocket.WebSocketClient}
 * make connections, each a {@link dev.duplex.websocket.WebSocket} whose events arrive at a
 * {@link dev.duplex.websocket.WebSocketListener}; {@link dev.duplex.websocket.WebSocketOptions}
 * holds every setting; {@link dev.duplex.websocket.PreparedMessage} frames a message once for many
 * connections; {@link dev.duplex.websocket.HttpCall} and {@link dev.duplex.websocket.HttpReply}
 * answer plain HTTP on the same port.
 *
 * <p>Threading: one event loop owns each connection. Listener events run on it (or, with an
 * executor, one at a time in order), so per-connection state touched only there, and in tasks
 * given to {@link dev.duplex.websocket.WebSocket#execute}, needs no lock. Every {@code WebSocket}
 * method may be called from any thread: from another thread, a send is handed to the loop and
 * keeps its place among the connection's sends.
 */
package dev.duplex.websocket;

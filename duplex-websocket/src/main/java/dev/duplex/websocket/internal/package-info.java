/**
 * How a connection works (exported to the hub alone, for {@link FrameTracing}): a {@code Session} is the {@code WebSocket} the
 * application holds; {@code TransportEvents} and {@code EngineEvents} receive what the transport
 * and the engine report; {@code Sender} sends; {@code CloseHandshake} closes; {@code SessionState} is its life in one
 * enum; {@code HandOffQueue} carries sends from other threads to the loop in call order;
 * {@code LoopBuffers} lends each loop's output buffers to one session at a time. The handshake
 * stages, the plain HTTP exchange, admission ({@code ServerContext}) and the client's connect
 * ({@code ClientContext}) complete it. {@code FrameTracing} is the frame-trace hook of Duplex's
 * own tools.
 */
package dev.duplex.websocket.internal;

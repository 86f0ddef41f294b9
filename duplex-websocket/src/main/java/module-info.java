/**
 * The WebSocket server and client: the public API in {@code dev.duplex.websocket} (eight types,
 * listed by {@code ApiSurfaceTest}); the glue between engine and transport in
 * {@code dev.duplex.websocket.internal}, which is not exported.
 */
module dev.duplex.websocket {
    requires dev.duplex.protocol;
    requires dev.duplex.transport;

    exports dev.duplex.websocket;
}

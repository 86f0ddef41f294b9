/**
 * The WebSocket server and client: the public API in {@code dev.duplex.websocket} (eight types,
 * listed by {@code ApiSurfaceTest}); the glue between engine and transport in
 * {@code dev.duplex.websocket.internal}, exported to the hub alone (for frame tracing).
 */
@SuppressWarnings("module") // dev.duplex.hub, the target of a qualified export, is built after this module
module dev.duplex.websocket {
    requires dev.duplex.protocol;
    requires dev.duplex.transport;

    exports dev.duplex.websocket;
    // Frame tracing, for Duplex's own hub (its frame traces) and nobody else's code.
    exports dev.duplex.websocket.internal to dev.duplex.hub;
}

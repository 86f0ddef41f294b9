/**
 * The browser side of Duplex: duplex.js and the dashboard as static files, served by
 * {@code StaticFiles} on any Duplex WebSocket server.
 */
module dev.duplex.web {
    requires dev.duplex.websocket;

    exports dev.duplex.web;
}

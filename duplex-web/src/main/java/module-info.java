/**
 * The browser side of Duplex: duplex.js and the dashboard as static files, served by
 * {@code StaticFiles} on any Duplex WebSocket server.
 */
module dev.duplex.web {
    requires transitive dev.duplex.websocket; // StaticFiles is a handler of its HttpCall and HttpReply

    exports dev.duplex.web;
}

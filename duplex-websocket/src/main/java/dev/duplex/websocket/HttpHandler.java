package dev.duplex.websocket;

/**
 * Answers the plain HTTP requests that reach a {@link WebSocketServer}: every request that is not
 * a WebSocket upgrade (set with {@link WebSocketServer.Builder#http}). One handler serves every
 * path and method; it does its own routing.
 *
 * <pre>{@code
 * HttpHandler api = call -> switch (call.path()) {
 *     case "/health" -> HttpReply.text(200, "ok\n");
 *     case "/echo" -> call.method().equals("POST")
 *             ? HttpReply.json(200, call.bodyText())
 *             : HttpReply.text(405, "POST only\n").withHeader("Allow", "POST");
 *     default -> HttpReply.text(404, "Not found\n");
 * };
 * }</pre>
 *
 * <p>The handler runs off the event loop (on the server's executor if one is configured, otherwise
 * on a small pool of the server's own), so it may block. The server writes the reply with
 * {@code Content-Length} and {@code Connection: close}, then closes the connection: one request
 * per connection. For {@code HEAD} requests it sends the reply's headers without its body.
 */
@FunctionalInterface
public interface HttpHandler {

    /**
     * Answers one request. An exception or a null reply is answered with 500 and a generic message
     * (and logged with the request's path, never its query).
     */
    HttpReply handle(HttpCall call) throws Exception;
}

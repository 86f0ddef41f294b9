package dev.duplex.protocol.handshake;

/** A parsed request head. {@code target} is the request-target as sent ("/chat?room=1"). */
public record HttpRequest(String method, String target, String version, HttpHeaders headers) {

    /** The target without its query. */
    public String path() {
        int q = target.indexOf('?');
        return q < 0 ? target : target.substring(0, q);
    }

    /** The query after '?', or null. Query strings may hold secrets: never log them. */
    public String query() {
        int q = target.indexOf('?');
        return q < 0 ? null : target.substring(q + 1);
    }
}

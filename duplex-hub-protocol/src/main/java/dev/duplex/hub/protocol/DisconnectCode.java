package dev.duplex.hub.protocol;

/**
 * Why the server closed a connection, and whether the client should come back. The ranges tell a
 * client what to do without knowing every code: 3000–3499 and 4000–4499 reconnect (with back-off);
 * 3500–3999 and 4500–4999 do not. 4000–4999 are left to applications. The code is sent in a
 * {@code disconnect} message and as the WebSocket close code.
 */
public enum DisconnectCode {
    // Reconnect.
    SHUTDOWN(3000, "server shutting down, reconnect"),
    SERVER_ERROR(3001, "internal server error"),
    SLOW_CONSUMER(3002, "too slow reading messages"),
    NO_PING(3003, "no ping within the heartbeat interval"),
    TOKEN_EXPIRED(3004, "token expired"),
    CONNECT_TIMEOUT(3005, "no connect command in time"),
    TOO_MANY_REQUESTS(3006, "too many commands"),
    NODE_FULL(3007, "too many connections on this node"),
    FORCE_RECONNECT(3008, "disconnected by the server, reconnect"),
    INSUFFICIENT_STATE(3009, "a channel's stream lost continuity, reconnect to recover"),
    // Do not reconnect.
    UNAUTHORIZED(3500, "invalid token"),
    BAD_REQUEST(3501, "too many bad commands"),
    FORCE_DISCONNECT(3502, "disconnected by the server"),
    USER_CONNECTION_LIMIT(3503, "too many connections for this user"),
    UNSUPPORTED_PROTOCOL(3504, "no supported subprotocol: use duplex.v1.json or duplex.v1.msgpack");

    private final int code;
    private final String reason;

    DisconnectCode(int code, String reason) {
        this.code = code;
        this.reason = reason;
    }

    public int code() {
        return code;
    }

    public String reason() {
        return reason;
    }

    public boolean reconnect() {
        return shouldReconnect(code);
    }

    /**
     * Whether a client should reconnect after a close with this code: the hub's ranges, and for
     * WebSocket codes (below 3000) everything except the protocol errors a client would only repeat
     * (1002, 1003, 1007, 1010).
     */
    public static boolean shouldReconnect(int code) {
        if (code >= 3000 && code < 5000) {
            return (code % 1000) < 500;
        }
        return code != 1002 && code != 1003 && code != 1007 && code != 1010;
    }
}

package dev.duplex.protocol.handshake;

import java.util.List;

/**
 * An opening handshake the server refuses: the HTTP status to answer with, a sentence for the
 * plain-text body, and any headers the status calls for (426 carries {@code Sec-WebSocket-Version}).
 */
public final class HandshakeRejection extends Exception {
    private final int status;
    private final List<HttpHeaders.Field> headers;

    public HandshakeRejection(int status, String message) {
        this(status, message, List.of());
    }

    public HandshakeRejection(int status, String message, List<HttpHeaders.Field> headers) {
        super(message, null, false, false);
        this.status = status;
        this.headers = List.copyOf(headers);
    }

    public int status() {
        return status;
    }

    public List<HttpHeaders.Field> headers() {
        return headers;
    }
}

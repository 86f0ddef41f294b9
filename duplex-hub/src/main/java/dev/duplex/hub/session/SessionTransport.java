package dev.duplex.hub.session;

/**
 * What a {@link HubSession} needs from its connection: a WebSocket in the server, a recording
 * stand-in in the session's own tests. Every method may be called from any thread.
 */
public interface SessionTransport {

    /** Hands a message to the connection's send buffer. */
    void send(EncodedMessage message);

    /** Bytes handed over and not yet written to the socket. */
    long bufferedAmount();

    /** Closes with a close handshake. */
    void close(int code, String reason);

    /** The peer's address, for logs and the stats API. */
    String remoteAddress();
}

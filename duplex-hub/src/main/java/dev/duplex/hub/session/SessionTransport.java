package dev.duplex.hub.session;

import dev.duplex.protocol.FrameObserver;

/**
 * What a {@link HubSession} needs from its connection: a WebSocket in the server, a recording
 * stand-in in the session's own tests. Every method may be called from any thread.
 */
public interface SessionTransport {

    /**
     * Hands a message to the connection's send buffer. Messages leave in the order of the calls that
     * happened before one another, whatever the threads (the WebSocket guarantees it).
     */
    void send(EncodedMessage message);

    /** Bytes handed over and not yet written to the socket. */
    long bufferedAmount();

    /** Closes with a close handshake. */
    void close(int code, String reason);

    /** Reports every frame read or written on this connection to {@code observer} (null stops). */
    void observeFrames(FrameObserver observer);

    /** The peer's address, for logs and the stats API. */
    String remoteAddress();
}

package dev.duplex.hub.session;

import dev.duplex.protocol.FrameObserver;

/**
 * What a {@link HubSession} needs from its connection: a WebSocket in the server, a recording
 * stand-in in the session's own tests. Every method may be called from any thread.
 */
public interface SessionTransport {

    /** Hands a message to the connection's send buffer. */
    void send(EncodedMessage message);

    /** Bytes handed over and not yet written to the socket. */
    long bufferedAmount();

    /**
     * Whether a {@link #send} from the calling thread now might overtake messages sent earlier from
     * other threads. A WebSocket writes at once when called on its own event loop, while sends from
     * other threads wait in that loop's task queue; the session then leaves the send to another
     * thread, so that its messages (the publications of a channel above all) keep their order.
     */
    default boolean wouldOvertake() {
        return false;
    }

    /** Closes with a close handshake. */
    void close(int code, String reason);

    /** Reports every frame read or written on this connection to {@code observer} (null stops). */
    void observeFrames(FrameObserver observer);

    /** The peer's address, for logs and the stats API. */
    String remoteAddress();
}

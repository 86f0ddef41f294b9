package dev.duplex.hub.session;

import dev.duplex.protocol.FrameObserver;

/**
 * A session's connection: a WebSocket in {@code HubEndpoint}, a recorder in tests. All methods but
 * {@link #execute} are called only on the session's owner (see {@link HubSession}).
 */
public interface SessionTransport {
    /** Sends one encoded server message; it may be written at once. */
    void send(EncodedMessage message);

    /** Bytes written but not yet taken by the socket. */
    long bufferedAmount();

    /** Closes the connection with a WebSocket close code and reason (at most 123 bytes of UTF-8). */
    void close(int code, String reason);

    /** Reports every frame to {@code observer} (null: stop), for frame traces. */
    void observeFrames(FrameObserver observer);

    String remoteAddress();

    /**
     * Runs {@code task} on the session's owner: the connection's event loop, at once when called
     * there. Callable from any thread; this is how publications, broker replies and the hub's
     * timers reach a session.
     */
    void execute(Runnable task);
}

package dev.duplex.websocket.internal;

import dev.duplex.transport.EventLoop;

/** The server or client a session belongs to. */
interface SessionHost {
    /** The buffers the sessions of {@code loop} borrow; called on that loop. */
    LoopBuffers buffers(EventLoop loop);

    /** The session's TCP connection is closed and its listener has been told. */
    void onSessionClosed(Session session);
}

package dev.duplex.websocket.internal;

/** The server or client a session belongs to. */
interface SessionHost {
    /** The session's TCP connection is closed and its listener has been told. */
    void onSessionClosed(Session session);
}

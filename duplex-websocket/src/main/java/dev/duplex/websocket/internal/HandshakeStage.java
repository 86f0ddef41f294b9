package dev.duplex.websocket.internal;

import java.nio.ByteBuffer;

/** Reads a connection's input until the opening handshake is done; then {@link Session#open} takes over. */
interface HandshakeStage {
    /** The TCP connection is established. */
    void onOpen(Session session);

    /** Input arrived; bytes after a completed handshake must stay in {@code data} for the engine. */
    void onData(Session session, ByteBuffer data);

    /**
     * The peer half-closed before the handshake completed: whether an answer is still coming (a
     * plain HTTP request with its handler), so the connection must stay open for it. Default: no.
     */
    default boolean answerPending(Session session) {
        return false;
    }

    /** The handshake took longer than the handshake timeout. */
    void onTimeout(Session session);

    /** The TCP connection closed before the handshake completed. */
    void onClosed(Session session, Throwable cause);
}

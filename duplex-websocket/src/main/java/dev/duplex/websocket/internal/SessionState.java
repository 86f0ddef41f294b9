package dev.duplex.websocket.internal;

/**
 * Where a {@link Session} is in its life, with every transition in this one place: one method per
 * event, each legal only from the states it names. Which timer a session runs follows from the
 * state (see {@link Session#onDeadline}).
 *
 * <pre>
 * HANDSHAKE ──opened──▶ OPEN ──closeStarted──▶ CLOSING ──lingering (server)──▶ LINGERING
 *     │
 *     └──refused──▶ REFUSED            any state ──tcpClosed──▶ CLOSED
 * </pre>
 */
enum SessionState {
    /** The opening handshake is being read or written; the handshake timeout runs. */
    HANDSHAKE,
    /** The handshake ended without a WebSocket (an error status, a plain HTTP reply, a failed client
     *  handshake): our output is shut, input is ignored until the peer's FIN or the close timeout. */
    REFUSED,
    /** Messages flow both ways; the heartbeat runs. */
    OPEN,
    /** A Close was sent or received, or the peer broke the protocol; the close timeout runs. */
    CLOSING,
    /** Server only: the close handshake is over (or failed), FIN is sent, and input is read and
     *  ignored until the peer's FIN or the close timeout (closing with unread input would send a reset). */
    LINGERING,
    /** The TCP connection is closed. */
    CLOSED;

    SessionState opened() {
        return from(this == HANDSHAKE, OPEN, "open");
    }

    SessionState refused() {
        return from(this == HANDSHAKE, REFUSED, "refuse the handshake");
    }

    /**
     * A Close was sent or received, or the connection failed. Later in closing (or once TCP is
     * closed, when the rest of a read batch still reaches the engine) nothing changes.
     */
    SessionState closeStarted() {
        if (this == CLOSING || this == LINGERING || this == CLOSED) {
            return this;
        }
        return from(this == OPEN, CLOSING, "start closing");
    }

    SessionState lingering() {
        return from(this == CLOSING, LINGERING, "linger");
    }

    SessionState tcpClosed() {
        return CLOSED;
    }

    private SessionState from(boolean legal, SessionState next, String what) {
        if (!legal) {
            throw new IllegalStateException("Cannot " + what + " in state " + this);
        }
        return next;
    }
}

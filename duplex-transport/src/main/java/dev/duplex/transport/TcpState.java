package dev.duplex.transport;

/**
 * Where a {@link TcpConnection} is: its lifecycle and the closing of our output, with every
 * transition in this one place (one method per event, legal only from the states it names).
 * Two things combine with any open state and so stay outside it: the peer's end of input, and
 * whether the layer above wants to read.
 *
 * <pre>
 * CONNECTING ──tlsStarted──▶ TLS_HANDSHAKE ──established──▶ OPEN
 *     └────────────────established─────────────────────────▲
 * OPEN ──shutdownRequested──▶ FLUSHING_THEN_FIN ──outputShut──▶ OUTPUT_SHUT
 * OPEN, FLUSHING_THEN_FIN, OUTPUT_SHUT ──closeAfterFlush──▶ FLUSHING_THEN_CLOSE
 * any ──closed──▶ CLOSED
 * </pre>
 */
enum TcpState {
    /** Connecting (client) or being registered (accepted); the handler is not involved yet. */
    CONNECTING,
    /** TCP is up, TLS is not yet: neither the handler nor writes are involved. */
    TLS_HANDSHAKE,
    /** Both directions open; writes accepted. */
    OPEN,
    /** Our FIN goes out once the write queue has drained; writes refused, reading goes on. */
    FLUSHING_THEN_FIN,
    /** Our FIN is out; reading goes on until the peer's. */
    OUTPUT_SHUT,
    /** The connection closes once the write queue has drained; writes refused. */
    FLUSHING_THEN_CLOSE,
    CLOSED;

    /** Connected and not closed: the handler is in charge (whatever is left of our output). */
    boolean isOpen() {
        return this == OPEN || this == FLUSHING_THEN_FIN || this == OUTPUT_SHUT || this == FLUSHING_THEN_CLOSE;
    }

    boolean acceptsWrites() {
        return this == OPEN;
    }

    TcpState tlsStarted() {
        return from(this == CONNECTING, TLS_HANDSHAKE, "start TLS");
    }

    TcpState established() {
        return from(this == CONNECTING || this == TLS_HANDSHAKE, OPEN, "open");
    }

    TcpState shutdownRequested() {
        return from(this == OPEN, FLUSHING_THEN_FIN, "shut down output");
    }

    TcpState outputShut() {
        return from(this == FLUSHING_THEN_FIN, OUTPUT_SHUT, "finish shutting down output");
    }

    TcpState closeAfterFlush() {
        return from(this == OPEN || this == FLUSHING_THEN_FIN || this == OUTPUT_SHUT, FLUSHING_THEN_CLOSE,
                "close after flushing");
    }

    TcpState closed() {
        return CLOSED;
    }

    private TcpState from(boolean legal, TcpState next, String what) {
        if (!legal) {
            throw new IllegalStateException("Cannot " + what + " in state " + this);
        }
        return next;
    }
}

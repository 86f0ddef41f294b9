package dev.duplex.websocket.internal;

import dev.duplex.protocol.ByteOutput;
import dev.duplex.protocol.CloseCodes;
import dev.duplex.protocol.Connection;
import dev.duplex.protocol.Role;
import dev.duplex.websocket.WebSocketListener;

/**
 * How one session closes: starting the close handshake, moving TCP along once the engine's
 * handshake is over, the close timeout, and the one {@code onClose} the application gets, with
 * the code that tells best what happened (a code the peer or a protocol error decided is final;
 * a local guess such as 1006 may still be replaced by a better one).
 *
 * <p>Loop thread only.
 */
final class CloseHandshake {
    private final Session session;
    private int closeCode = CloseCodes.ABNORMAL;
    private String closeReason = "";
    private boolean closeCodeFinal;
    private boolean closeReported;

    CloseHandshake(Session session) {
        this.session = session;
    }

    /** Starts the close handshake with {@code code}, or refuses a handshake still in progress. */
    void closeLocally(int code, String reason) {
        Connection engine = session.connection;
        if (engine == null) {
            if (session.tcp != null && session.handshake != null) {
                session.refuse();
            }
            return;
        }
        if (engine.state() != Connection.State.OPEN) {
            return;
        }
        setClose(code, reason, false);
        session.closeStarted();
        ByteOutput out = session.output();
        try {
            engine.sendClose(code, reason, out);
        } finally {
            session.writtenNow(out); // before a FIN that afterEngineStep may send
        }
        afterEngineStep();
    }

    /** The send queue passed its bound: the peer reads too slowly (1008). */
    void closeSlowConsumer() {
        closeLocally(CloseCodes.POLICY_VIOLATION, "Send queue passed " + session.options.maxQueuedBytes()
                + " bytes: the peer reads too slowly");
    }

    /**
     * After the engine consumed input or sent a Close: move the TCP connection along the close
     * handshake. A server closes TCP first once the handshake is complete (RFC 6455 §7.1.1), and at
     * once after failing the connection (§7.1.7), where the peer's Close may never come; it lingers
     * (see {@link SessionState#LINGERING}). A client waits for the server's Close, then for its FIN
     * (§7.1.1), within the close timeout that began when closing did.
     */
    void afterEngineStep() {
        Connection engine = session.connection;
        Connection.State state = engine.state();
        if (state == Connection.State.OPEN) {
            return;
        }
        boolean serverDone = session.role == Role.SERVER && (state == Connection.State.CLOSED || engine.isFailed());
        if (serverDone && session.state() == SessionState.CLOSING) {
            session.linger();
        }
    }

    /** The close timeout passed: drop TCP; the application hears 1006 unless the handshake had completed. */
    void onCloseTimeout() {
        Connection engine = session.connection;
        if (engine != null && engine.state() != Connection.State.CLOSED && !engine.isFailed()) {
            closeCodeFinal = false;
            setClose(CloseCodes.ABNORMAL, "The peer did not finish the close handshake within "
                    + session.options.closeTimeout().toMillis() + " ms", true);
        }
        session.tcp.close();
    }

    /** Drops the connection because of {@code error} (a timeout): the application hears it, then 1006. */
    void fail(Throwable error) {
        setClose(CloseCodes.ABNORMAL, error.getMessage(), true);
        WebSocketListener l = session.listener;
        if (l != null) {
            session.dispatch(() -> l.onError(session, error));
        }
        session.tcp.close();
    }

    /** Records the code for {@code onClose}, unless one already recorded is final. */
    void setClose(int code, String reason, boolean isFinal) {
        if (!closeCodeFinal) {
            closeCode = code;
            closeReason = reason == null ? "" : reason;
            closeCodeFinal = isFinal;
        }
    }

    /** Tells the application once, last, that the connection is closed. */
    void reportClose() {
        WebSocketListener l = session.listener;
        if (closeReported || l == null) {
            return;
        }
        closeReported = true;
        int code = closeCode;
        String reason = closeReason;
        session.dispatch(() -> l.onClose(session, code, reason));
    }
}

package dev.duplex.client;

import dev.duplex.hub.protocol.DisconnectCode;
import dev.duplex.hub.protocol.ServerMessage;

/**
 * Why a connection (or an attempt) ended, and whether to come back: what {@link Connector} decides
 * the next step on, and what the {@code CLOSED} state event reports.
 */
record Ending(int code, String reason, boolean reconnect, Long retryAfter, Throwable error) {

    /** Dropped without a close handshake (by us, or by the network): reconnect. */
    static Ending dropped(String reason) {
        return new Ending(1006, reason, true, null, null);
    }

    /** The attempt failed (no socket, no token, a refused connect): reconnect. */
    static Ending failed(String reason, Throwable error) {
        return new Ending(1006, reason, true, null, error);
    }

    /** Refused in a way that trying again would not change: stop. */
    static Ending refused(int code, String reason, Throwable error) {
        return new Ending(code, reason, false, null, error);
    }

    /** A WebSocket close: its code's range decides (PROTOCOL.md, "Disconnect codes"). */
    static Ending closed(int code, String reason) {
        return new Ending(code, reason == null || reason.isEmpty() ? null : reason,
                DisconnectCode.shouldReconnect(code), null, null);
    }

    /** The hub's {@code disconnect} message, which says more than the close that follows it. */
    static Ending disconnected(ServerMessage.Disconnect d) {
        return new Ending(d.code(), d.reason(), d.reconnect() && DisconnectCode.shouldReconnect(d.code()),
                d.retryAfter(), null);
    }
}

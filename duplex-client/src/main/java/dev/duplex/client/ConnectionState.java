package dev.duplex.client;

/** Where a {@link DuplexClient}'s connection to the hub stands. */
public enum ConnectionState {
    /** A connection attempt is under way: fetching the token, opening the WebSocket, waiting for {@code connected}. */
    CONNECTING,
    /** {@code connected} arrived: commands flow, subscriptions are (being) resumed, the outbox was re-sent. */
    OPEN,
    /** {@link DuplexClient#close()} was called and the connection is being closed. */
    CLOSING,
    /**
     * No connection: between attempts (then {@link StateEvent#willReconnect()} is true and
     * {@link StateEvent#nextRetryDelay()} says when the next one starts), before
     * {@link DuplexClient#connect()}, after {@link DuplexClient#close()}, or after the hub said not to
     * come back.
     */
    CLOSED
}

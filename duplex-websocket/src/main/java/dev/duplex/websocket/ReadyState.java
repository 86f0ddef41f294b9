package dev.duplex.websocket;

/** The life of a WebSocket, named as in the browser API. */
public enum ReadyState {
    /** The opening handshake is in progress. */
    CONNECTING,
    /** Messages flow both ways. */
    OPEN,
    /** A Close frame was sent or received; waiting for the handshake to finish. */
    CLOSING,
    /** The TCP connection is closed. */
    CLOSED
}

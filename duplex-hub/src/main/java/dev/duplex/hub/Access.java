package dev.duplex.hub;

/** Who may do something in a namespace (subscribe, publish, read presence or history). */
public enum Access {
    /** Every connection, anonymous ones included. */
    ANYONE,
    /** Connections that presented a valid token. */
    USER,
    /** Connections that present a subscription token for the channel (subscribe only). */
    TOKEN,
    /** Nobody over WebSocket; the server-side API still can. */
    NOBODY
}

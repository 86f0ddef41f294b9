package dev.duplex.hub;

/**
 * Who may do something in a namespace: subscribe, publish, or read presence and history. Every path
 * that reaches a channel (a WebSocket command, a resumed subscription, a fallback transport) asks
 * {@link ChannelAccess}, which applies these rules in one place.
 */
public enum Access {
    /** Every connection, anonymous ones included. */
    ANYONE,
    /** Connections that presented a valid connection token. */
    USER,
    /**
     * Subscribing needs a subscription token for the channel. Publishing needs a subscription made
     * with one; reading presence or history needs one, or a subscription made with one.
     */
    TOKEN,
    /** Nobody over WebSocket; the server-side API still can. */
    NOBODY
}

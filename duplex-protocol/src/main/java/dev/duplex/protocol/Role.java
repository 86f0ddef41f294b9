package dev.duplex.protocol;

/** Which end of the connection this engine plays; it decides the masking rules (RFC 6455 §5.1). */
public enum Role {
    /** Masks every frame it sends and rejects masked frames from the server. */
    CLIENT,
    /** Sends unmasked frames and rejects unmasked frames from the client. */
    SERVER
}

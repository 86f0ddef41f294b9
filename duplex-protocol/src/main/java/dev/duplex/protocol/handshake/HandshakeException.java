package dev.duplex.protocol.handshake;

/** The server's answer to our opening handshake was not an acceptable 101 (client side). */
public final class HandshakeException extends Exception {
    private final int status;

    public HandshakeException(int status, String message) {
        super(message);
        this.status = status;
    }

    /** The HTTP status the server sent, or 0 if the response could not be read. */
    public int status() {
        return status;
    }
}

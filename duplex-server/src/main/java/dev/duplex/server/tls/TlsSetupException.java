package dev.duplex.server.tls;

/**
 * TLS could not be set up from what the user gave: a missing or unreadable file, a key that does
 * not match its certificate, a wrong password. The message is meant for the user as is: it names
 * the file and says what to do.
 */
public final class TlsSetupException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TlsSetupException(String message) {
        super(message);
    }

    public TlsSetupException(String message, Throwable cause) {
        super(message, cause);
    }
}

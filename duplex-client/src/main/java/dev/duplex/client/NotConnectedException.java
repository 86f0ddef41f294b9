package dev.duplex.client;

/**
 * A request that needs an open connection ({@code presence}, {@code history}) was made while the
 * client was not connected, or the connection was lost before the reply came. Publishes never fail
 * this way: they wait in the outbox.
 */
public final class NotConnectedException extends DuplexClientException {
    private static final long serialVersionUID = 1L;

    /** An exception saying what could not be done. */
    public NotConnectedException(String message) {
        super(message);
    }
}

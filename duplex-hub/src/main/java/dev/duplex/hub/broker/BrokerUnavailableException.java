package dev.duplex.hub.broker;

/**
 * The broker cannot be reached (Redis is down, unreachable, or did not answer in time): nothing was
 * done, or, for a publication whose answer was lost, it may have been done once. Clients get error
 * 116 and retry; a publication retried with the same {@code msgId} is never stored twice.
 */
public final class BrokerUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BrokerUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}

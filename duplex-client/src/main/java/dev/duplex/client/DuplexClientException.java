package dev.duplex.client;

/**
 * Why a {@link DuplexClient} call failed. Futures fail with a subclass when the reason is one a
 * caller may want to tell apart: {@link HubErrorException} (the hub answered with an error),
 * {@link NotConnectedException}, {@link ClientClosedException}, {@link OutboxFullException}. Timeouts
 * fail with {@link java.util.concurrent.TimeoutException}.
 */
public class DuplexClientException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** An exception with a message a person can act on. */
    public DuplexClientException(String message) {
        super(message);
    }

    /** An exception with a message and the failure behind it. */
    public DuplexClientException(String message, Throwable cause) {
        super(message, cause);
    }
}

package dev.duplex.client;

/**
 * The client stopped for good before the call could complete: {@link DuplexClient#close()} was
 * called, the hub disconnected it with a code that says not to come back (3500–3999, 4500–4999),
 * or it gave up reconnecting after the configured number of attempts. Pending publishes fail with it
 * rather than being dropped silently.
 */
public final class ClientClosedException extends DuplexClientException {
    private static final long serialVersionUID = 1L;

    private final Integer code;

    /**
     * @param code the close or disconnect code that ended the client (1000 after {@code close()}), or null
     * @param message what happened
     */
    public ClientClosedException(Integer code, String message) {
        super(message);
        this.code = code;
    }

    /** The close or disconnect code that ended the client, or null if there was none. */
    public Integer code() {
        return code;
    }
}

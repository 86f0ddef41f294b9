package dev.duplex.hub.broker;

/**
 * A broker refused a publication or a new stream because a node-wide budget is spent: clients get
 * error 106 with this message, and the refusal is counted under {@link #limit()}.
 */
public final class BrokerCapacityException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Which budget: {@code history_memory} or {@code streams}. */
    private final String limit;

    public BrokerCapacityException(String limit, String message) {
        super(message, null, false, false);
        this.limit = limit;
    }

    public String limit() {
        return limit;
    }
}

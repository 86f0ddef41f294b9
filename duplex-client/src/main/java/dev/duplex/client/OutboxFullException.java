package dev.duplex.client;

/**
 * A publish was refused at once because the outbox already holds as many unacknowledged publishes
 * as it may ({@link DuplexClient.Builder#outboxCapacity}): the client has been offline, or the hub is
 * acknowledging more slowly than the application publishes. Retry later or slow down.
 */
public final class OutboxFullException extends DuplexClientException {
    private static final long serialVersionUID = 1L;

    private final int capacity;

    /** @param capacity the outbox's capacity */
    public OutboxFullException(int capacity) {
        super("The outbox is full: " + capacity + " publishes wait for their ack (the client is offline or the hub "
                + "acknowledges more slowly than the application publishes); retry later or raise outboxCapacity");
        this.capacity = capacity;
    }

    /** The outbox's capacity. */
    public int capacity() {
        return capacity;
    }
}

package dev.duplex.hub.broker;

/** Where a publication landed; {@code duplicate} when an earlier request with its idempotency key did. */
public record PublishResult(String epoch, long offset, boolean duplicate) {
}

package dev.duplex.hub.broker;

import dev.duplex.hub.protocol.ClientInfo;
import dev.duplex.hub.protocol.Payload;
import java.time.Duration;

/**
 * A publication to make: its channel, data (encoded and checked before it gets an offset), publisher
 * (null for the HTTP API), key, the history the channel keeps, and an optional idempotency key with
 * its de-duplication window.
 */
public record PublishRequest(String channel, Payload data, ClientInfo info, String key,
                             HistoryOptions history, String idempotencyKey, Duration dedupWindow) {
}

package dev.duplex.hub.broker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.duplex.hub.protocol.ClientInfo;
import java.time.Duration;

/**
 * A publication to make: its channel, data, publisher (null for the HTTP API), key, the history the
 * channel keeps, and an optional idempotency key with its de-duplication window.
 */
public record PublishRequest(String channel, JsonNode data, ClientInfo info, String key,
                             HistoryOptions history, String idempotencyKey, Duration dedupWindow) {
}

package dev.duplex.hub.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * One message in a channel's stream, at its offset (1, 2, 3… within an epoch). {@code info} is the
 * publisher (absent for publications made through the HTTP API); {@code key} is the publisher's key
 * for keep-latest-per-key delivery, if any.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Publication(String channel, long offset, JsonNode data, ClientInfo info, String key)
        implements ServerMessage {
}

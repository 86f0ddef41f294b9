package dev.duplex.hub.protocol;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * One message in a channel's stream, at its offset (1, 2, 3… within an epoch). {@code info} is the
 * publisher (absent for publications made through the HTTP API); {@code key} is the publisher's key
 * for keep-latest-per-key delivery, if any. On the wire the payload is the field {@code data}; the
 * hub keeps it encoded (see {@link Payload}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Publication(String channel, long offset, @JsonProperty("data") Payload payload, ClientInfo info, String key)
        implements ServerMessage {

    /** A publication whose data is a tree (tests, clients). */
    public Publication(String channel, long offset, JsonNode data, ClientInfo info, String key) {
        this(channel, offset, Payload.of(data), info, key);
    }

    /** The data as a tree (decoded on each call where the hub keeps it encoded). */
    @JsonIgnore
    public JsonNode data() {
        return payload.tree();
    }
}

package dev.duplex.hub.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * Who a connection is: the server-assigned client id, the authenticated user (empty for anonymous
 * connections) and the optional info the connection token carried.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ClientInfo(String client, String user, JsonNode info) {
}

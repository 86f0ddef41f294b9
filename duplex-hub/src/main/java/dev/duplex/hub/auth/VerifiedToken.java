package dev.duplex.hub.auth;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a valid token says: the user id ({@code sub}), when it expires (epoch milliseconds, null if
 * never) and the public {@code info} object shown to others (null if absent).
 */
public record VerifiedToken(String user, Long expiresAt, JsonNode info) {
}

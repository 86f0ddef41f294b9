package dev.duplex.protocol.handshake;

/** A parsed response head. */
public record HttpResponse(String version, int status, String reason, HttpHeaders headers) {
}

package dev.duplex.websocket;

import dev.duplex.protocol.handshake.HttpHeaders;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Where and how a {@link WebSocketClient} connects: the URI, the subprotocols to offer in order of
 * preference, and extra request headers. Values are checked when connecting: CR, LF and NUL are
 * refused so nothing can be injected into the request.
 */
public record ConnectRequest(URI uri, List<String> subprotocols, List<HttpHeaders.Field> headers) {

    public ConnectRequest {
        Objects.requireNonNull(uri, "uri");
        subprotocols = List.copyOf(subprotocols);
        headers = List.copyOf(headers);
    }

    public static ConnectRequest to(URI uri) {
        return new ConnectRequest(uri, List.of(), List.of());
    }

    public static ConnectRequest to(String uri) {
        return to(URI.create(uri));
    }

    public ConnectRequest withSubprotocols(String... protocols) {
        return new ConnectRequest(uri, List.of(protocols), headers);
    }

    public ConnectRequest withHeader(String name, String value) {
        List<HttpHeaders.Field> more = new ArrayList<>(headers);
        more.add(new HttpHeaders.Field(name, value));
        return new ConnectRequest(uri, subprotocols, more);
    }
}

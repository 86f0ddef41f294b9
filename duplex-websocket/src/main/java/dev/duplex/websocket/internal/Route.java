package dev.duplex.websocket.internal;

import dev.duplex.websocket.WebSocketListener;
import java.util.List;

/** A path served by a listener, with the subprotocols it speaks in order of preference. */
public record Route(String path, WebSocketListener listener, List<String> subprotocols) {
    public Route {
        subprotocols = List.copyOf(subprotocols);
    }
}

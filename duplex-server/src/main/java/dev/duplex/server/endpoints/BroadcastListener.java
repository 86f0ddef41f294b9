package dev.duplex.server.endpoints;

import dev.duplex.websocket.PreparedMessage;
import dev.duplex.websocket.WebSocket;
import dev.duplex.websocket.WebSocketListener;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code /broadcast}: every message a client sends is delivered to every connected client, the
 * sender included, as the same type and bytes. A raw endpoint so any WebSocket load tool can
 * measure fan-out against any server; each message is framed once for all recipients and handed
 * to each other event loop once ({@link PreparedMessage#sendTo}). Thread safe; one instance per
 * route.
 */
public final class BroadcastListener implements WebSocketListener {
    private final Set<WebSocket> members = ConcurrentHashMap.newKeySet();

    @Override
    public void onOpen(WebSocket ws) {
        members.add(ws);
    }

    @Override
    public void onText(WebSocket ws, String text) {
        deliver(PreparedMessage.text(text));
    }

    @Override
    public void onBinary(WebSocket ws, ByteBuffer data) {
        deliver(PreparedMessage.binary(data));
    }

    @Override
    public void onClose(WebSocket ws, int code, String reason) {
        members.remove(ws);
    }

    /** Connected members. */
    public int size() {
        return members.size();
    }

    private void deliver(PreparedMessage message) {
        message.sendTo(members); // one hand-off per event loop, not per member
    }
}

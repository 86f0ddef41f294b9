package dev.duplex.loadgen;

import dev.duplex.websocket.WebSocket;
import dev.duplex.websocket.WebSocketListener;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Test-only broadcast endpoint: every message any client sends goes to every open WebSocket, the sender included. */
final class BroadcastTestListener implements WebSocketListener {
    private final Set<WebSocket> members = ConcurrentHashMap.newKeySet();

    @Override
    public void onOpen(WebSocket ws) {
        members.add(ws);
    }

    @Override
    public void onBinary(WebSocket ws, ByteBuffer data) {
        for (WebSocket member : members) {
            member.sendBinary(data.duplicate());
        }
    }

    @Override
    public void onText(WebSocket ws, String text) {
        for (WebSocket member : members) {
            member.sendText(text);
        }
    }

    @Override
    public void onClose(WebSocket ws, int code, String reason) {
        members.remove(ws);
    }

    int size() {
        return members.size();
    }
}

package dev.duplex.conformance;

import dev.duplex.websocket.WebSocket;
import dev.duplex.websocket.WebSocketListener;
import java.nio.ByteBuffer;

/**
 * Echoes every message back unchanged: text as text, binary as binary, streamed parts as parts.
 * The endpoint Autobahn's fuzzing client tests a server against, and the behaviour its fuzzing
 * server expects of a client. Stateless; one instance serves any number of connections.
 */
public final class EchoListener implements WebSocketListener {
    public static final EchoListener INSTANCE = new EchoListener();

    private EchoListener() {
    }

    @Override
    public void onText(WebSocket ws, String text) {
        ws.sendText(text);
    }

    @Override
    public void onBinary(WebSocket ws, ByteBuffer data) {
        ws.sendBinary(data);
    }

    @Override
    public void onMessagePart(WebSocket ws, boolean text, ByteBuffer part, boolean last) {
        ws.sendPart(text, part, last);
    }
}

package dev.duplex.client;

import dev.duplex.hub.protocol.HubCodec;
import dev.duplex.hub.protocol.ProtocolException;
import dev.duplex.hub.protocol.ServerMessage;
import dev.duplex.websocket.WebSocket;
import dev.duplex.websocket.WebSocketListener;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * One connection's WebSocket events. They arrive on the WebSocket's event loop, which is not the
 * client's: a message is decoded there (the client's loop does not pay for parsing), and every event
 * then hops to the client's loop, in the order it happened.
 */
final class HubSocketListener implements WebSocketListener {
    private static final System.Logger LOG = System.getLogger(DuplexClient.class.getName());

    private final Connector connector;
    private final Connection c;
    private final Loop loop;
    private final HubCodec codec;

    HubSocketListener(Connector connector, Connection c, Loop loop, HubCodec codec) {
        this.connector = connector;
        this.c = c;
        this.loop = loop;
        this.codec = codec;
    }

    @Override
    public void onOpen(WebSocket ws) {
        if (!loop.execute(() -> connector.onSocketOpen(c, ws))) {
            ws.abort(); // the client was closed meanwhile
        }
    }

    @Override
    public void onText(WebSocket ws, String text) {
        received(text.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void onBinary(WebSocket ws, ByteBuffer data) {
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        received(bytes);
    }

    private void received(byte[] bytes) {
        ServerMessage message;
        try {
            message = codec.decodeServerMessage(bytes);
        } catch (ProtocolException e) {
            // Unknown types come from a newer hub; anything else is not worth a reconnect either.
            LOG.log(System.Logger.Level.DEBUG, "Ignored a message from the hub: {0}", e.getMessage());
            return;
        }
        loop.execute(() -> connector.onMessage(c, message));
    }

    @Override
    public void onClose(WebSocket ws, int code, String reason) {
        loop.execute(() -> connector.onSocketClosed(c, code, reason));
    }
}

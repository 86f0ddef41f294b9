package dev.duplex.hub;

import dev.duplex.hub.protocol.DisconnectCode;
import dev.duplex.hub.protocol.HubCodec;
import dev.duplex.hub.session.EncodedMessage;
import dev.duplex.hub.session.HubSession;
import dev.duplex.hub.session.SessionTransport;
import dev.duplex.websocket.WebSocket;
import dev.duplex.websocket.internal.FrameTracing;
import dev.duplex.websocket.WebSocketListener;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Connects WebSockets to a {@link Hub}: route it at {@code /connect} with {@link #SUBPROTOCOLS}. One
 * instance serves every connection; each gets a {@link HubSession} attached to its WebSocket.
 */
public final class HubEndpoint implements WebSocketListener {
    /** The subprotocols to offer in the route, in order of preference. */
    public static final List<String> SUBPROTOCOLS = List.of(HubCodec.JSON_SUBPROTOCOL, HubCodec.MSGPACK_SUBPROTOCOL);

    private static final String SESSION = "dev.duplex.hub.session";
    private static final System.Logger LOG = System.getLogger("dev.duplex.hub");

    private final Hub hub;

    public HubEndpoint(Hub hub) {
        this.hub = hub;
        hub.fanoutScope(WebSocket::sendBatch); // one hand-off per event loop and publication
    }

    @Override
    public void onOpen(WebSocket ws) {
        HubCodec codec = HubCodec.forSubprotocol(ws.subprotocol());
        if (codec == null) {
            // No session and so no disconnect message (there is no format to write it in), but
            // counted like every other disconnect: clients offering the wrong subprotocol (an old
            // SDK, a misconfigured proxy) would otherwise not show in duplex_disconnects_total.
            hub.metrics().disconnected(DisconnectCode.UNSUPPORTED_PROTOCOL.code());
            ws.close(DisconnectCode.UNSUPPORTED_PROTOCOL.code(), "Offer subprotocol duplex.v1.json or duplex.v1.msgpack");
            return;
        }
        HubSession session = new HubSession(hub.sessionContext(), new WebSocketTransport(ws), codec);
        Long retryAfter = hub.admit();
        if (retryAfter != null) {
            LOG.log(System.Logger.Level.DEBUG, "Refusing a connection from {0}: admission limit", ws.remoteAddress());
            session.disconnect(hub.draining() ? DisconnectCode.SHUTDOWN : DisconnectCode.NODE_FULL, null, retryAfter);
            return;
        }
        ws.attribute(SESSION, session);
        hub.opened(session);
    }

    @Override
    public void onText(WebSocket ws, String text) {
        HubSession session = session(ws);
        if (session != null) {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            session.onMessage(bytes, 0, bytes.length);
        }
    }

    @Override
    public void onBinary(WebSocket ws, ByteBuffer data) {
        HubSession session = session(ws);
        if (session == null) {
            return;
        }
        if (data.hasArray()) {
            session.onMessage(data.array(), data.arrayOffset() + data.position(), data.remaining());
        } else {
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            session.onMessage(bytes, 0, bytes.length);
        }
    }

    @Override
    public void onWritable(WebSocket ws) {
        HubSession session = session(ws);
        if (session != null) {
            session.onWritable();
        }
    }

    @Override
    public void onClose(WebSocket ws, int code, String reason) {
        HubSession session = session(ws);
        if (session != null) {
            hub.closed(session);
        }
    }

    private static HubSession session(WebSocket ws) {
        return (HubSession) ws.attribute(SESSION);
    }

    /** A session's connection: a WebSocket. */
    private static final class WebSocketTransport implements SessionTransport {
        private final WebSocket ws;
        WebSocketTransport(WebSocket ws) {
            this.ws = ws;
        }

        @Override
        public void send(EncodedMessage message) {
            ws.sendPrepared(message.prepared());
        }

        @Override
        public long bufferedAmount() {
            return ws.bufferedAmount();
        }

        @Override
        public void close(int code, String reason) {
            ws.close(code, reason);
        }

        @Override
        public void observeFrames(dev.duplex.protocol.FrameObserver observer) {
            FrameTracing.observe(ws, observer);
        }

        @Override
        public String remoteAddress() {
            return String.valueOf(ws.remoteAddress());
        }

        @Override
        public void execute(Runnable task) {
            ws.execute(task);
        }
    }
}

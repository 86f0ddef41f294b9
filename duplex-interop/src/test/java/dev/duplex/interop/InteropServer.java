package dev.duplex.interop;

import static org.junit.jupiter.api.Assertions.fail;

import dev.duplex.conformance.ConformanceLimits;
import dev.duplex.conformance.EchoListener;
import dev.duplex.websocket.WebSocket;
import dev.duplex.websocket.WebSocketListener;
import dev.duplex.websocket.WebSocketOptions;
import dev.duplex.websocket.WebSocketServer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Our {@link WebSocketServer} on 127.0.0.1 (any free port) with the routes the interop tests of
 * foreign clients use, and what the server side observed.
 *
 * <ul>
 *   <li>{@code /echo}: {@link EchoListener#INSTANCE}</li>
 *   <li>{@code /observed}: echo, and every server-side close (code, reason) recorded in {@link #closes}</li>
 *   <li>{@code /close4001}: closes with 4001 "bye" as soon as it opens (its close recorded too)</li>
 *   <li>{@code /pinger}: pings the client with "duplex-ping"; on the pong sends text "pong:" + payload</li>
 *   <li>{@code /chat}: subprotocols chat.v1, chat.v2 (our preference in this order); sends
 *       "subprotocol:" + the agreed one on open, then echoes</li>
 * </ul>
 * Options: the library's defaults with {@link ConformanceLimits#AUTOBAHN} limits.
 */
final class InteropServer implements AutoCloseable {
    static final List<String> CHAT_PROTOCOLS = List.of("chat.v1", "chat.v2");

    /** A close the server side reported to its listener. */
    record ServerClose(String path, int code, String reason) {
    }

    final BlockingQueue<ServerClose> closes = new LinkedBlockingQueue<>();
    final WebSocketServer server;

    InteropServer() {
        WebSocketListener observed = new WebSocketListener() {
            @Override
            public void onText(WebSocket ws, String text) {
                EchoListener.INSTANCE.onText(ws, text);
            }

            @Override
            public void onBinary(WebSocket ws, ByteBuffer data) {
                EchoListener.INSTANCE.onBinary(ws, data);
            }

            @Override
            public void onMessagePart(WebSocket ws, boolean text, ByteBuffer part, boolean last) {
                EchoListener.INSTANCE.onMessagePart(ws, text, part, last);
            }

            @Override
            public void onClose(WebSocket ws, int code, String reason) {
                closes.add(new ServerClose(ws.path(), code, reason));
            }
        };
        WebSocketListener closer = new WebSocketListener() {
            @Override
            public void onOpen(WebSocket ws) {
                ws.close(4001, "bye");
            }

            @Override
            public void onClose(WebSocket ws, int code, String reason) {
                closes.add(new ServerClose(ws.path(), code, reason));
            }
        };
        WebSocketListener pinger = new WebSocketListener() {
            @Override
            public void onOpen(WebSocket ws) {
                ws.ping(ByteBuffer.wrap("duplex-ping".getBytes(StandardCharsets.UTF_8)));
            }

            @Override
            public void onPong(WebSocket ws, ByteBuffer payload) {
                ws.sendText("pong:" + StandardCharsets.UTF_8.decode(payload));
            }
        };
        WebSocketListener chat = new WebSocketListener() {
            @Override
            public void onOpen(WebSocket ws) {
                ws.sendText("subprotocol:" + ws.subprotocol());
            }

            @Override
            public void onText(WebSocket ws, String text) {
                ws.sendText(text);
            }
        };
        server = WebSocketServer.builder()
                .options(WebSocketOptions.defaults().withMaxMessageBytes(ConformanceLimits.AUTOBAHN_MESSAGE_BYTES).withMaxFragments(ConformanceLimits.AUTOBAHN_FRAGMENTS).withMaxQueuedBytes(ConformanceLimits.AUTOBAHN_QUEUE_BYTES))
                .route("/echo", EchoListener.INSTANCE)
                .route("/observed", observed)
                .route("/close4001", closer)
                .route("/pinger", pinger)
                .route("/chat", CHAT_PROTOCOLS, chat)
                .startOnLoopback(0);
    }

    String url(String path) {
        return "ws://127.0.0.1:" + server.port() + path;
    }

    /** The next close the server side reported. */
    ServerClose nextClose(Duration timeout) {
        try {
            ServerClose c = closes.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (c == null) {
                fail("The server reported no close within " + timeout.toMillis() + " ms");
            }
            return c;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    @Override
    public void close() {
        server.close(Duration.ofSeconds(2));
    }
}

package dev.duplex.hub.http;

import dev.duplex.hub.protocol.Command;
import dev.duplex.hub.protocol.HubCodec;
import dev.duplex.hub.protocol.ProtocolException;
import dev.duplex.hub.protocol.ServerMessage;
import dev.duplex.websocket.ConnectRequest;
import dev.duplex.websocket.WebSocket;
import dev.duplex.websocket.WebSocketClient;
import dev.duplex.websocket.WebSocketListener;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bare JSON hub client for the HTTP API tests (the parts of {@code dev.duplex.hub.TestHubClient}
 * they need): sends commands as they are, collects server messages in order, records the close code.
 * {@link #close()} aborts the connection.
 */
final class HubWsClient implements AutoCloseable {
    static final long WAIT_SECONDS = 10;

    private final WebSocketClient client = WebSocketClient.builder().build();
    private final BlockingQueue<ServerMessage> inbox = new LinkedBlockingQueue<>();
    private final AtomicLong ids = new AtomicLong();
    private final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
    private final WebSocket ws;
    /** The reply to connect. */
    ServerMessage.Connected connected;

    private HubWsClient(int port) throws Exception {
        try {
            ws = client.connect(ConnectRequest.to("ws://127.0.0.1:" + port + "/connect").withSubprotocols(HubCodec.JSON_SUBPROTOCOL),
                    new WebSocketListener() {
                        @Override
                        public void onText(WebSocket ws, String text) {
                            try {
                                inbox.add(HubCodec.JSON.decodeServerMessage(text.getBytes(StandardCharsets.UTF_8)));
                            } catch (ProtocolException e) {
                                throw new AssertionError("The hub sent an undecodable message: " + text, e);
                            }
                        }

                        @Override
                        public void onClose(WebSocket ws, int code, String reason) {
                            closeCode.complete(code);
                        }
                    }).get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            client.close();
            throw e;
        }
    }

    /** A client that sent connect with {@code token} (null: anonymous) and got connected. */
    static HubWsClient connected(int port, String token) throws Exception {
        HubWsClient c = new HubWsClient(port);
        try {
            c.send(new Command.Connect(c.nextId(), token, "http-api-test", "1", null));
            c.connected = c.expect(ServerMessage.Connected.class);
        } catch (Throwable t) {
            c.close();
            throw t;
        }
        return c;
    }

    ServerMessage.Subscribed subscribe(String channel) throws InterruptedException {
        send(new Command.Subscribe(nextId(), channel, null, null));
        return expect(ServerMessage.Subscribed.class);
    }

    long nextId() {
        return ids.incrementAndGet();
    }

    void send(Command command) {
        ws.sendText(new String(HubCodec.JSON.encode(command), StandardCharsets.UTF_8));
    }

    /** The next message of {@code type}, skipping others. */
    <T extends ServerMessage> T expect(Class<T> type) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        List<ServerMessage> skipped = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            ServerMessage m = inbox.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (m == null) {
                break;
            }
            if (type.isInstance(m)) {
                return type.cast(m);
            }
            skipped.add(m);
        }
        throw new AssertionError("No " + type.getSimpleName() + " within " + WAIT_SECONDS + " s; got " + skipped);
    }

    /** The next message within {@code millis}, or null. */
    ServerMessage poll(long millis) throws InterruptedException {
        return inbox.poll(millis, TimeUnit.MILLISECONDS);
    }

    /** Sends a ping and waits for its pong: everything before it was handled. */
    void roundTrip() throws InterruptedException {
        send(new Command.Ping(nextId()));
        expect(ServerMessage.Pong.class);
    }

    int awaitClose() throws Exception {
        return closeCode.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        ws.abort();
        client.close();
    }
}

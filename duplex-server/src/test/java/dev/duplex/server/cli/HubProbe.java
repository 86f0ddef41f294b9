package dev.duplex.server.cli;

import java.util.Map;
import java.net.URI;
import dev.duplex.hub.protocol.Command;
import dev.duplex.hub.protocol.HubCodec;
import dev.duplex.hub.protocol.ProtocolException;
import dev.duplex.hub.protocol.ServerMessage;
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

/** A bare JSON hub client for the command tests: sends commands, collects server messages in order. */
final class HubProbe implements AutoCloseable {
    static final long WAIT_SECONDS = 10;

    private final WebSocketClient client = WebSocketClient.builder().build();
    private final BlockingQueue<ServerMessage> inbox = new LinkedBlockingQueue<>();
    private final AtomicLong ids = new AtomicLong();
    final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
    /** When the last {@code disconnect} message arrived (System.nanoTime), 0 if none. */
    volatile long disconnectNanos;
    final WebSocket ws;

    HubProbe(String url) throws Exception {
        try {
            ws = client.connect(URI.create(url), List.of(HubCodec.JSON_SUBPROTOCOL), Map.of(), new WebSocketListener() {
                @Override
                public void onText(WebSocket ws, String text) {
                    try {
                        ServerMessage m = HubCodec.JSON.decodeServerMessage(text.getBytes(StandardCharsets.UTF_8));
                        if (m instanceof ServerMessage.Disconnect) {
                            disconnectNanos = System.nanoTime();
                        }
                        inbox.add(m);
                    } catch (ProtocolException e) {
                        throw new AssertionError("Undecodable: " + text, e);
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

    /** Connected anonymously (or with {@code token}). */
    static HubProbe connected(String url, String token) throws Exception {
        HubProbe probe = new HubProbe(url);
        try {
            probe.send(new Command.Connect(probe.nextId(), token, "probe", "1", null));
            probe.expect(ServerMessage.Connected.class);
        } catch (Throwable t) {
            probe.close();
            throw t;
        }
        return probe;
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

    int awaitClose() throws Exception {
        return closeCode.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        ws.abort();
        client.close();
    }
}

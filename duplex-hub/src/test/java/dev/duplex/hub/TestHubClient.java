package dev.duplex.hub;

import dev.duplex.hub.protocol.Command;
import dev.duplex.hub.protocol.HubCodec;
import dev.duplex.hub.protocol.ProtocolException;
import dev.duplex.hub.protocol.ServerMessage;
import dev.duplex.websocket.ConnectRequest;
import dev.duplex.websocket.WebSocket;
import dev.duplex.websocket.WebSocketClient;
import dev.duplex.websocket.WebSocketListener;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * A bare protocol-level client for the hub's tests: sends commands as they are, collects every
 * server message in order. Deliberately not the reconnecting Java client, so tests see the wire.
 */
final class TestHubClient implements AutoCloseable {
    static final long WAIT_SECONDS = 10;

    private final WebSocketClient client;
    private final HubCodec codec;
    private final BlockingQueue<ServerMessage> inbox = new LinkedBlockingQueue<>();
    final CompletableFuture<int[]> closed = new CompletableFuture<>();
    final List<String> closeReasons = new ArrayList<>();
    private final AtomicLong ids = new AtomicLong();
    final WebSocket ws;

    TestHubClient(int port, HubCodec codec) throws Exception {
        this(port, codec, codec.subprotocol());
    }

    TestHubClient(int port, HubCodec codec, String subprotocol) throws Exception {
        this.client = WebSocketClient.builder().build();
        this.codec = codec;
        ConnectRequest request = ConnectRequest.to("ws://127.0.0.1:" + port + "/connect");
        if (subprotocol != null) {
            request = request.withSubprotocols(subprotocol);
        }
        this.ws = client.connect(request, new WebSocketListener() {
            @Override
            public void onText(WebSocket ws, String text) {
                receive(text.getBytes(StandardCharsets.UTF_8));
            }

            @Override
            public void onBinary(WebSocket ws, ByteBuffer data) {
                byte[] bytes = new byte[data.remaining()];
                data.get(bytes);
                receive(bytes);
            }

            @Override
            public void onClose(WebSocket ws, int code, String reason) {
                synchronized (closeReasons) {
                    closeReasons.add(reason);
                }
                closed.complete(new int[] {code});
            }
        }).get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    static TestHubClient connected(int port) throws Exception {
        TestHubClient c = new TestHubClient(port, HubCodec.JSON);
        c.send(new Command.Connect(c.nextId(), null, "test", "1", null));
        c.expect(ServerMessage.Connected.class);
        return c;
    }

    private void receive(byte[] bytes) {
        try {
            inbox.add(codec.decodeServerMessage(bytes));
        } catch (ProtocolException e) {
            throw new AssertionError("The hub sent an undecodable message: " + new String(bytes, StandardCharsets.UTF_8), e);
        }
    }

    long nextId() {
        return ids.incrementAndGet();
    }

    void send(Command command) {
        sendRaw(codec.encode(command));
    }

    void sendRaw(byte[] bytes) {
        if (codec.binary()) {
            ws.sendBinary(ByteBuffer.wrap(bytes));
        } else {
            ws.sendText(new String(bytes, StandardCharsets.UTF_8));
        }
    }

    void sendText(String text) {
        ws.sendText(text);
    }

    /** The next message, whatever it is. */
    ServerMessage next() throws InterruptedException {
        ServerMessage m = inbox.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        if (m == null) {
            throw new AssertionError("No message from the hub within " + WAIT_SECONDS + " s");
        }
        return m;
    }

    /** The next message of {@code type}, skipping others (which are kept nowhere). */
    <T extends ServerMessage> T expect(Class<T> type) throws InterruptedException {
        return expect(type, m -> true);
    }

    <T extends ServerMessage> T expect(Class<T> type, Predicate<T> filter) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        List<ServerMessage> skipped = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            ServerMessage m = inbox.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (m == null) {
                break;
            }
            if (type.isInstance(m) && filter.test(type.cast(m))) {
                return type.cast(m);
            }
            skipped.add(m);
        }
        throw new AssertionError("No " + type.getSimpleName() + " within " + WAIT_SECONDS + " s; got " + skipped);
    }

    /** Nothing arrives for {@code millis}. */
    ServerMessage poll(long millis) throws InterruptedException {
        return inbox.poll(millis, TimeUnit.MILLISECONDS);
    }

    int awaitClose() throws Exception {
        return closed.get(WAIT_SECONDS, TimeUnit.SECONDS)[0];
    }

    @Override
    public void close() {
        ws.abort();
        client.close();
    }
}

package dev.duplex.hub;

import java.net.URI;
import dev.duplex.hub.protocol.Command;
import dev.duplex.hub.protocol.HubCodec;
import dev.duplex.hub.protocol.ProtocolException;
import dev.duplex.hub.protocol.ServerMessage;
import dev.duplex.hub.protocol.StreamPosition;
import dev.duplex.websocket.WebSocket;
import dev.duplex.websocket.WebSocketClient;
import dev.duplex.websocket.WebSocketListener;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A bare protocol-level client for the hub's tests: sends commands as they are, collects every
 * server message in order. Deliberately not the reconnecting Java client, so tests see the wire.
 * {@link #close()} aborts the TCP connection (no close handshake), like a network drop.
 */
final class TestHubClient implements AutoCloseable {
    static final long WAIT_SECONDS = 10;

    private final WebSocketClient client;
    private final boolean ownsClient;
    private final HubCodec codec;
    private final BlockingQueue<ServerMessage> inbox = new LinkedBlockingQueue<>();
    /** Messages an {@link #expect} passed over, oldest first: later calls see them before the inbox. */
    private final ArrayDeque<ServerMessage> passedOver = new ArrayDeque<>();
    private final Consumer<ServerMessage> sink;
    private final List<ServerMessage> received = new ArrayList<>();
    final CompletableFuture<int[]> closed = new CompletableFuture<>();
    final List<String> closeReasons = new ArrayList<>();
    private final AtomicLong ids = new AtomicLong();
    /** When the last {@code disconnect} message arrived (System.nanoTime), 0 if none. */
    volatile long disconnectNanos;
    /** The reply to {@link #connect}, once connected. */
    volatile ServerMessage.Connected connected;
    final WebSocket ws;

    TestHubClient(int port, HubCodec codec) throws Exception {
        this(port, codec, codec.subprotocol());
    }

    TestHubClient(int port, HubCodec codec, String subprotocol) throws Exception {
        this(WebSocketClient.builder().build(), true, port, codec, subprotocol, null);
    }

    /**
     * A client on a shared {@link WebSocketClient} (many connections, few event-loop threads). With a
     * {@code sink}, messages go to it on the event loop instead of the inbox.
     */
    TestHubClient(WebSocketClient shared, int port, Consumer<ServerMessage> sink) throws Exception {
        this(shared, false, port, HubCodec.JSON, HubCodec.JSON_SUBPROTOCOL, sink);
    }

    private TestHubClient(WebSocketClient client, boolean ownsClient, int port, HubCodec codec, String subprotocol,
                          Consumer<ServerMessage> sink) throws Exception {
        this.client = client;
        this.ownsClient = ownsClient;
        this.codec = codec;
        this.sink = sink;
        URI uri = URI.create("ws://127.0.0.1:" + port + "/connect");
        List<String> offered = subprotocol == null ? List.of() : List.of(subprotocol);
        try {
            this.ws = client.connect(uri, offered, Map.of(), new WebSocketListener() {
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
        } catch (Exception e) {
            if (ownsClient) {
                client.close();
            }
            throw e;
        }
    }

    static TestHubClient connected(int port) throws Exception {
        return connected(port, null);
    }

    /** A JSON client that sent {@code connect} with {@code token} (null: anonymous) and got {@code connected}. */
    static TestHubClient connected(int port, String token) throws Exception {
        TestHubClient c = new TestHubClient(port, HubCodec.JSON);
        try {
            c.connect(token);
        } catch (Throwable t) {
            c.close();
            throw t;
        }
        return c;
    }

    ServerMessage.Connected connect(String token) throws InterruptedException {
        return connect(token, null);
    }

    ServerMessage.Connected connect(String token, Map<String, StreamPosition> subs)
            throws InterruptedException {
        long id = nextId();
        send(new Command.Connect(id, token, "test", "1", subs));
        ServerMessage reply = reply(id);
        if (!(reply instanceof ServerMessage.Connected c)) {
            throw new AssertionError("Connecting failed: " + reply);
        }
        connected = c;
        return c;
    }

    /** This connection's client id (after {@link #connect}). */
    String clientId() {
        return connected.client();
    }

    /** Subscribes and returns the reply (fails on anything else for this command). */
    ServerMessage.Subscribed subscribe(String channel) throws InterruptedException {
        long id = nextId();
        send(new Command.Subscribe(id, channel, null, null));
        ServerMessage reply = reply(id);
        if (!(reply instanceof ServerMessage.Subscribed s)) {
            throw new AssertionError("Subscribing to " + channel + " failed: " + reply);
        }
        return s;
    }

    /** Sends {@code command} and returns the error it got; fails if the reply is not an error. */
    ServerMessage.Error error(Command command) throws InterruptedException {
        send(command);
        ServerMessage reply = reply(command.id());
        if (!(reply instanceof ServerMessage.Error e)) {
            throw new AssertionError("Expected an error for " + command + ", got " + reply);
        }
        return e;
    }

    /** The reply carrying {@code id} (skipping pushes and other replies). */
    ServerMessage reply(long id) throws InterruptedException {
        return expect(ServerMessage.class, m -> id == idOf(m));
    }

    static long idOf(ServerMessage m) {
        Long id = null;
        if (m instanceof ServerMessage.Connected c) {
            id = c.id();
        } else if (m instanceof ServerMessage.Subscribed s) {
            id = s.id();
        } else if (m instanceof ServerMessage.Unsubscribed u) {
            id = u.id();
        } else if (m instanceof ServerMessage.Ack a) {
            id = a.id();
        } else if (m instanceof ServerMessage.PresenceResult p) {
            id = p.id();
        } else if (m instanceof ServerMessage.HistoryResult h) {
            id = h.id();
        } else if (m instanceof ServerMessage.Pong p) {
            id = p.id();
        } else if (m instanceof ServerMessage.Refreshed r) {
            id = r.id();
        } else if (m instanceof ServerMessage.Error e) {
            id = e.id();
        }
        return id == null ? Long.MIN_VALUE : id;
    }

    /** Sends a ping and waits for its pong: the connection works and everything before it was handled. */
    void roundTrip() throws InterruptedException {
        long id = nextId();
        send(new Command.Ping(id));
        ServerMessage reply = reply(id);
        if (!(reply instanceof ServerMessage.Pong)) {
            throw new AssertionError("Expected a pong, got " + reply);
        }
    }

    private void receive(byte[] bytes) {
        ServerMessage message;
        try {
            message = codec.decodeServerMessage(bytes);
        } catch (ProtocolException e) {
            throw new AssertionError("The hub sent an undecodable message: " + new String(bytes, StandardCharsets.UTF_8), e);
        }
        if (message instanceof ServerMessage.Disconnect) {
            disconnectNanos = System.nanoTime();
        }
        if (sink != null) {
            sink.accept(message);
        } else {
            synchronized (received) {
                received.add(message);
            }
            inbox.add(message);
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
        ServerMessage m = poll(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        if (m == null) {
            throw new AssertionError("No message from the hub within " + WAIT_SECONDS + " s");
        }
        return m;
    }

    /**
     * The next message of {@code type}. Others are passed over but kept: the next {@link #next},
     * {@link #poll} or {@code expect} sees them first, in order.
     */
    <T extends ServerMessage> T expect(Class<T> type) throws InterruptedException {
        return expect(type, m -> true);
    }

    synchronized <T extends ServerMessage> T expect(Class<T> type, Predicate<T> filter) throws InterruptedException {
        for (Iterator<ServerMessage> it = passedOver.iterator(); it.hasNext(); ) {
            ServerMessage m = it.next();
            if (type.isInstance(m) && filter.test(type.cast(m))) {
                it.remove();
                return type.cast(m);
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (System.nanoTime() < deadline) {
            ServerMessage m = inbox.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (m == null) {
                break;
            }
            if (type.isInstance(m) && filter.test(type.cast(m))) {
                return type.cast(m);
            }
            passedOver.addLast(m);
        }
        throw new AssertionError("No " + type.getSimpleName() + " within " + WAIT_SECONDS + " s; got " + passedOver);
    }

    /** The next message within {@code millis}, or null. */
    synchronized ServerMessage poll(long millis) throws InterruptedException {
        ServerMessage m = passedOver.pollFirst();
        return m != null ? m : inbox.poll(millis, TimeUnit.MILLISECONDS);
    }

    /** Every message that arrived so far and was not taken yet, in order. */
    synchronized List<ServerMessage> drain() {
        List<ServerMessage> all = new ArrayList<>(passedOver);
        passedOver.clear();
        inbox.drainTo(all);
        return all;
    }

    /** Every message received so far, taken or not (not kept with a sink). */
    List<ServerMessage> received() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    boolean isOpen() {
        return !closed.isDone();
    }

    /** The close code, waiting up to {@link #WAIT_SECONDS}. */
    int awaitClose() throws Exception {
        return closed.get(WAIT_SECONDS, TimeUnit.SECONDS)[0];
    }

    /** Aborts the connection (a network drop: no close handshake). */
    @Override
    public void close() {
        ws.abort();
        if (ownsClient) {
            client.close();
        }
    }
}

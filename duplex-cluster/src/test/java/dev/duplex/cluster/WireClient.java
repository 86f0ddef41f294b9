package dev.duplex.cluster;

import dev.duplex.hub.HubServer;
import dev.duplex.hub.protocol.Command;
import dev.duplex.hub.protocol.HubCodec;
import dev.duplex.hub.protocol.ProtocolException;
import dev.duplex.hub.protocol.Publication;
import dev.duplex.hub.protocol.ServerMessage;
import dev.duplex.hub.protocol.StreamPosition;
import dev.duplex.websocket.WebSocket;
import dev.duplex.websocket.WebSocketClient;
import dev.duplex.websocket.WebSocketListener;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * A hub connection spoken in the raw protocol (JSON): every server message is kept, in the order it
 * arrived. Unlike {@code DuplexClient}, it de-duplicates and reorders nothing, so what a test reads
 * here is exactly what the hub sent: a duplicate, a gap or a reordering shows. {@link #abort()}
 * drops the TCP connection without a close handshake, as a network failure does.
 */
final class WireClient implements AutoCloseable {
    private final WebSocket ws;
    private final AtomicLong ids = new AtomicLong();
    /** Guarded by itself; notified on every change. */
    private final List<ServerMessage> messages = new ArrayList<>();
    private Integer closeCode;
    private ServerMessage.Connected connected;

    private WireClient(WebSocketClient webSockets, int port) throws Exception {
        URI uri = URI.create("ws://127.0.0.1:" + port + HubServer.PATH);
        this.ws = webSockets.connect(uri, List.of(HubCodec.JSON_SUBPROTOCOL), Map.of(), new WebSocketListener() {
            @Override
            public void onText(WebSocket socket, String text) {
                ServerMessage message;
                try {
                    message = HubCodec.JSON.decodeServerMessage(text.getBytes(StandardCharsets.UTF_8));
                } catch (ProtocolException e) {
                    throw new AssertionError("The hub sent an undecodable message: " + text, e);
                }
                synchronized (messages) {
                    messages.add(message);
                    messages.notifyAll();
                }
            }

            @Override
            public void onClose(WebSocket socket, int code, String reason) {
                synchronized (messages) {
                    closeCode = code;
                    messages.notifyAll();
                }
            }
        }).get(ClusterFixture.WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Opens a connection to the node on {@code port} and sends {@code connect} with {@code token}; waits for {@code connected}. */
    static WireClient connect(WebSocketClient webSockets, int port, String token) throws Exception {
        WireClient client = new WireClient(webSockets, port);
        try {
            long id = client.send(i -> new Command.Connect(i, token, "duplex-cluster-test", "1", null));
            client.connected = client.reply(id, ServerMessage.Connected.class);
            return client;
        } catch (Throwable t) {
            client.close();
            throw t;
        }
    }

    /** The hub's id of this connection. */
    String clientId() {
        return connected.client();
    }

    /** Sends the command made with the next id; returns that id. */
    long send(java.util.function.LongFunction<Command> command) {
        long id = ids.incrementAndGet();
        ws.sendText(new String(HubCodec.JSON.encode(command.apply(id)), StandardCharsets.UTF_8));
        return id;
    }

    /** Sends {@code subscribe} (with {@code since} when not null) without waiting; returns its id. */
    long subscribe(String channel, StreamPosition since) {
        return send(id -> new Command.Subscribe(id, channel, null, since));
    }

    /** The reply carrying {@code id}, which must be of {@code type}; waits for it up to {@link ClusterFixture#WAIT}. */
    <T extends ServerMessage> T reply(long id, Class<T> type) throws InterruptedException {
        ServerMessage reply = awaitMessage("the reply to command " + id, m -> idOf(m) == id);
        if (!type.isInstance(reply)) {
            throw new AssertionError("Expected " + type.getSimpleName() + " for command " + id + ", got " + reply);
        }
        return type.cast(reply);
    }

    /** Who the hub lists in {@code channel}'s presence now. */
    List<dev.duplex.hub.protocol.ClientInfo> presence(String channel) throws InterruptedException {
        long id = send(i -> new Command.Presence(i, channel));
        return reply(id, ServerMessage.PresenceResult.class).clients();
    }

    /** The first message (of all received) matching {@code match}, waiting up to {@link ClusterFixture#WAIT}. */
    ServerMessage awaitMessage(String what, Predicate<ServerMessage> match) throws InterruptedException {
        ServerMessage[] found = new ServerMessage[1];
        await(what, all -> {
            for (ServerMessage m : all) {
                if (match.test(m)) {
                    found[0] = m;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    /** Waits until {@code condition} holds for the messages received so far; fails after {@link ClusterFixture#WAIT}. */
    void await(String what, Predicate<List<ServerMessage>> condition) throws InterruptedException {
        long deadline = System.nanoTime() + ClusterFixture.WAIT.toNanos();
        synchronized (messages) {
            while (!condition.test(messages)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("Timed out after " + ClusterFixture.WAIT.toSeconds() + " s waiting for " + what
                            + " on " + (connected == null ? "a connection" : clientId()) + "; " + messages.size()
                            + " messages received, close code " + closeCode);
                }
                messages.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
        }
    }

    /** Every message received so far, in arrival order. */
    List<ServerMessage> messages() {
        synchronized (messages) {
            return List.copyOf(messages);
        }
    }

    /**
     * Per channel, every publication the hub sent, in arrival order: those carried by a
     * {@code subscribed} reply, then the {@code publication} messages.
     */
    static Map<String, List<Publication>> publicationsByChannel(List<ServerMessage> messages) {
        Map<String, List<Publication>> out = new LinkedHashMap<>();
        for (ServerMessage m : messages) {
            if (m instanceof ServerMessage.Subscribed s && s.publications() != null) {
                out.computeIfAbsent(s.channel(), c -> new ArrayList<>()).addAll(s.publications());
            } else if (m instanceof Publication p) {
                out.computeIfAbsent(p.channel(), c -> new ArrayList<>()).add(p);
            }
        }
        return out;
    }

    /** The code of the close, waiting up to {@link ClusterFixture#WAIT} for it. */
    int awaitClose() throws InterruptedException {
        await("the connection to close", all -> closeCode != null);
        synchronized (messages) {
            return closeCode;
        }
    }

    boolean closed() {
        synchronized (messages) {
            return closeCode != null;
        }
    }

    /** Drops the connection (no close handshake), as a network failure does. */
    void abort() {
        ws.abort();
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
        } else if (m instanceof ServerMessage.Error e) {
            id = e.id();
        }
        return id == null ? Long.MIN_VALUE : id;
    }

    @Override
    public void close() {
        if (!closed()) {
            ws.abort();
        }
    }
}

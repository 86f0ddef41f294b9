package dev.duplex.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import dev.duplex.hub.protocol.ClientInfo;
import dev.duplex.hub.protocol.Command;
import dev.duplex.hub.protocol.ErrorCode;
import dev.duplex.hub.protocol.HubCodec;
import dev.duplex.hub.protocol.Publication;
import dev.duplex.hub.protocol.ServerMessage;
import dev.duplex.hub.protocol.StreamPosition;
import dev.duplex.websocket.WebSocket;
import dev.duplex.websocket.WebSocketClient;
import dev.duplex.websocket.WebSocketListener;
import java.lang.reflect.RecordComponent;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongFunction;
import java.util.function.Predicate;

/**
 * One hub connection spoken in the raw protocol (JSON). Unlike {@code DuplexClient} it de-duplicates
 * and reorders nothing, so what a test reads here is exactly what the hub sent: a duplicate, a gap
 * or a reordering shows. Thousands of them can share one {@link WebSocketClient}. Each command gets
 * a fresh id and a future completed by the reply of that id. Three kinds:
 * <ul>
 * <li>{@link #recording}: keeps every message in arrival order, for a test that subscribes it to
 * channels of its choice and reads or {@linkplain #await awaits} what arrived;
 * <li>{@link #subscriber}: subscribes to one channel and keeps, cheaply, the offsets it received per
 * epoch and the position a client keeps (epoch and last offset), described below;
 * <li>{@link #commands}: only sends commands (a publisher, a probe).
 * </ul>
 *
 * <p>When a subscriber's connection closes, it asks {@code resumeTo} where to go and, given a hub,
 * resumes there once, the way the protocol says: {@code connect} with {@code subs} at its position.
 * It does not retry a failed connection: that is recorded as a problem for the test to fail on. When
 * the hub connects it but cannot resume the subscription (it then says why in an {@code unsubscribed}
 * push), it subscribes with {@code since} at the same position, as the Java client does, and repeats
 * that every 250 ms (at most 40 times) while the hub answers error 116, which PROTOCOL.md defines as
 * "retry after a few seconds"; each refusal is counted for the test to see.
 */
final class WireClient implements WebSocketListener, AutoCloseable {
    private static final HubCodec CODEC = HubCodec.JSON;
    private static final int MAX_RESUBSCRIBES = 40;
    private static final long RESUBSCRIBE_DELAY_MS = 250;

    private final WebSocketClient client;
    private final String token;
    private final String channel;
    private final Function<WireClient, URI> resumeTo;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, CompletableFuture<ServerMessage>> pending = new ConcurrentHashMap<>();
    private volatile WebSocket ws;
    private volatile URI uri;
    private volatile boolean stopped;

    // What the hub sent, guarded by this; notified on every change.
    private final List<ServerMessage> log;
    private final ReceivedOffsets received = new ReceivedOffsets();
    private boolean subscribedOnce;
    private final List<Boolean> recoveries = new ArrayList<>();
    private final List<Integer> disconnects = new ArrayList<>();
    private final List<Integer> closes = new ArrayList<>();
    private final List<String> clientIds = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();
    private final List<String> refusals = new ArrayList<>();

    private WireClient(WebSocketClient client, String token, String channel, Function<WireClient, URI> resumeTo, boolean record) {
        this.client = client;
        this.token = token;
        this.channel = channel;
        this.resumeTo = resumeTo;
        this.log = record ? new ArrayList<>() : null;
    }

    /** A connection with {@code token} (null: anonymous) that keeps every message; not open yet. */
    static WireClient recording(WebSocketClient client, String token) {
        return new WireClient(client, token, null, null, true);
    }

    /** An anonymous subscriber of {@code channel}, not open yet; {@code resumeTo} null (or giving null): no resume. */
    static WireClient subscriber(WebSocketClient client, String channel, Function<WireClient, URI> resumeTo) {
        return new WireClient(client, null, channel, resumeTo, false);
    }

    /** An anonymous connection that only sends commands, not open yet. */
    static WireClient commands(WebSocketClient client) {
        return new WireClient(client, null, null, null, false);
    }

    /** Connects to the hub at {@code hub} and completes with its {@code connected}. */
    CompletableFuture<ServerMessage.Connected> open(URI hub) {
        return open(hub, null);
    }

    private CompletableFuture<ServerMessage.Connected> open(URI hub, Map<String, StreamPosition> subs) {
        this.uri = hub;
        CompletableFuture<ServerMessage.Connected> done = new CompletableFuture<>();
        client.connect(hub, List.of(CODEC.subprotocol()), Map.of(), this).whenComplete((socket, failure) -> {
            if (failure != null) {
                done.completeExceptionally(failure);
                return;
            }
            ws = socket;
            request(id -> new Command.Connect(id, token, "duplex-cluster-test", "1", subs)).whenComplete((reply, error) -> {
                if (error != null) {
                    done.completeExceptionally(error);
                } else if (reply instanceof ServerMessage.Connected connected) {
                    connected(connected, subs != null);
                    done.complete(connected);
                } else {
                    done.completeExceptionally(new IllegalStateException("connect answered " + reply));
                }
            });
        });
        return done;
    }

    /** Sends a command made with a fresh id; completes with the reply of the same id. */
    CompletableFuture<ServerMessage> request(LongFunction<Command> command) {
        long id = ids.incrementAndGet();
        CompletableFuture<ServerMessage> reply = new CompletableFuture<>();
        pending.put(id, reply);
        WebSocket socket = ws;
        if (socket == null || !socket.sendText(new String(CODEC.encode(command.apply(id)), StandardCharsets.UTF_8))) {
            pending.remove(id);
            reply.completeExceptionally(new IllegalStateException("not connected"));
        }
        return reply;
    }

    /** The reply {@code request} completes with, which must be of {@code type}; waits up to {@link ClusterFixture#WAIT}. */
    <T extends ServerMessage> T reply(CompletableFuture<ServerMessage> request, Class<T> type) throws Exception {
        ServerMessage reply = request.get(ClusterFixture.WAIT.toMillis(), TimeUnit.MILLISECONDS);
        if (!type.isInstance(reply)) {
            throw new AssertionError("Expected " + type.getSimpleName() + " on " + clientId() + ", got " + reply);
        }
        return type.cast(reply);
    }

    /** Sends {@code subscribe} to {@code channel} (with {@code since} when not null), for a recording connection. */
    CompletableFuture<ServerMessage> subscribe(String to, StreamPosition since) {
        return request(id -> new Command.Subscribe(id, to, null, since));
    }

    /** A subscriber subscribes to its channel from where it is now (no {@code since}); completes with the reply. */
    CompletableFuture<ServerMessage> subscribe() {
        return subscribe(channel, null).thenApply(reply -> {
            if (reply instanceof ServerMessage.Subscribed s) {
                subscribed(s, false);
            }
            return reply;
        });
    }

    /** Publishes and waits for the answer (an ack or an error), at most 20 s. */
    ServerMessage publish(String to, JsonNode data, String msgId) {
        try {
            return request(id -> new Command.Publish(id, to, data, msgId, null)).get(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("publish " + msgId + " got no answer", e);
        }
    }

    /** Who the hub lists in {@code channel}'s presence now. */
    List<ClientInfo> presence(String of) throws Exception {
        return reply(request(id -> new Command.Presence(id, of)), ServerMessage.PresenceResult.class).clients();
    }

    /** Drops the connection, as a network failure would: a subscriber resumes as after any other close. */
    void drop() {
        WebSocket socket = ws;
        if (socket != null) {
            socket.abort();
        }
    }

    /** Drops the connection from this side without a resume (the test is done with it). */
    @Override
    public void close() {
        stopped = true;
        drop();
    }

    /** A subscriber resumes at {@code hub} from the position it has (after {@link #drop} with nowhere to resume to). */
    CompletableFuture<ServerMessage.Connected> resumeAt(URI hub) {
        return open(hub, Map.of(channel, since()));
    }

    /** Where a resume of its subscription starts from: the epoch and last offset it has. */
    private synchronized StreamPosition since() {
        return received.position();
    }

    URI uri() {
        return uri;
    }

    // ---- what the hub sent

    @Override
    public void onText(WebSocket socket, String text) {
        ServerMessage message;
        try {
            message = CODEC.decodeServerMessage(text.getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            problem("undecodable message " + text + ": " + e);
            return;
        }
        synchronized (this) {
            if (log != null) {
                log.add(message);
                notifyAll();
            }
            if (message instanceof ServerMessage.Disconnect d) {
                disconnects.add(d.code());
            }
        }
        if (message instanceof Publication p) {
            if (log == null) {
                received(p);
            }
        } else if (message instanceof ServerMessage.Unsubscribed u && u.id() == null && u.channel().equals(channel)) {
            synchronized (this) {
                refusals.add("unsubscribed: " + u.reason());
            }
        } else if (!(message instanceof ServerMessage.Disconnect)) {
            Long id = idOf(message);
            CompletableFuture<ServerMessage> reply = id == null ? null : pending.remove(id);
            if (reply != null) {
                reply.complete(message);
            } else if (log == null) {
                problem("unexpected message " + text);
            }
        }
    }

    private synchronized void received(Publication p) {
        if (!p.channel().equals(channel)) {
            problems.add("publication of another channel: " + p.channel());
            return;
        }
        received.add(p.offset());
    }

    @Override
    public void onClose(WebSocket socket, int code, String reason) {
        synchronized (this) {
            closes.add(code);
            notifyAll();
        }
        IllegalStateException closed = new IllegalStateException("connection closed: " + code + " " + reason);
        pending.values().forEach(f -> f.completeExceptionally(closed));
        pending.clear();
        URI next = stopped || socket != ws || resumeTo == null ? null : resumeTo.apply(this);
        if (next == null) {
            return;
        }
        Map<String, StreamPosition> subs;
        synchronized (this) {
            subs = channel != null && subscribedOnce ? Map.of(channel, received.position()) : null;
        }
        open(next, subs).whenComplete((connected, failure) -> {
            if (failure != null) {
                problem("resume at " + next + " failed: " + failure);
            }
        });
    }

    private void connected(ServerMessage.Connected connected, boolean resume) {
        synchronized (this) {
            clientIds.add(connected.client());
        }
        if (resume) {
            ServerMessage.Subscribed s = connected.subs() == null ? null : connected.subs().get(channel);
            if (s == null) {
                resubscribe(0); // the hub could not resume it: its unsubscribed push says why
            } else if (s.epoch() == null) {
                problem("resumed without an epoch: " + connected);
            } else {
                subscribed(s, true);
            }
        }
    }

    /** Subscribes with {@code since} at the position it has, again while the hub answers 116. */
    private void resubscribe(int attempt) {
        StreamPosition since = since();
        WebSocket socket = ws;
        subscribe(channel, since).whenComplete((reply, failure) -> {
            if (stopped || socket != ws) {
                return; // the connection it was for is gone: the next one resumes on its own
            }
            if (reply instanceof ServerMessage.Subscribed s) {
                subscribed(s, true);
            } else if (reply instanceof ServerMessage.Error e && e.code() == ErrorCode.BROKER_UNAVAILABLE.code()
                    && attempt + 1 < MAX_RESUBSCRIBES) {
                synchronized (this) {
                    refusals.add("subscribe: 116");
                }
                CompletableFuture.delayedExecutor(RESUBSCRIBE_DELAY_MS, TimeUnit.MILLISECONDS).execute(() -> resubscribe(attempt + 1));
            } else {
                problem("subscribe with since " + since + " answered " + (failure != null ? failure : reply));
            }
        });
    }

    private synchronized void subscribed(ServerMessage.Subscribed s, boolean resume) {
        if (resume) {
            recoveries.add(s.recovered());
        }
        subscribedOnce = true;
        received.subscribed(s);
    }

    private synchronized void problem(String what) {
        problems.add(what);
    }

    /** The id of a reply (the record's {@code id}); null for a push. */
    private static Long idOf(ServerMessage m) {
        for (RecordComponent c : m.getClass().getRecordComponents()) {
            if (c.getName().equals("id")) {
                try {
                    return (Long) c.getAccessor().invoke(m);
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return null;
    }

    // ---- for the test's assertions (copies, taken under the lock)

    /** A recording connection waits until {@code condition} holds for the messages so far; fails after {@link ClusterFixture#WAIT}. */
    synchronized void await(String what, Predicate<List<ServerMessage>> condition) throws InterruptedException {
        Waits.onMonitor(this, ClusterFixture.WAIT, () -> condition.test(log), () -> what + " on " + clientId() + "; "
                + log.size() + " messages received, closes " + closes);
    }

    /** The first message (of all a recording connection received) matching {@code match}, waiting up to {@link ClusterFixture#WAIT}. */
    ServerMessage awaitMessage(String what, Predicate<ServerMessage> match) throws InterruptedException {
        await(what, all -> all.stream().anyMatch(match));
        return messages().stream().filter(match).findFirst().orElseThrow();
    }

    /** Every message a recording connection received so far, in arrival order. */
    synchronized List<ServerMessage> messages() {
        return List.copyOf(log);
    }

    /** The code of the first close, waiting up to {@link ClusterFixture#WAIT} for it. */
    synchronized int awaitClose() throws InterruptedException {
        Waits.onMonitor(this, ClusterFixture.WAIT, () -> !closes.isEmpty(), () -> "the connection of " + clientId() + " to close");
        return closes.get(0);
    }

    /** The hub's id of the latest connection. */
    synchronized String clientId() {
        return clientIds.isEmpty() ? "a connection" : clientIds.get(clientIds.size() - 1);
    }

    /** The offsets a subscriber received in {@code epoch}, in arrival order, recovered ones included. */
    synchronized long[] offsets(String inEpoch) {
        return received.offsets(inEpoch);
    }

    /** The epochs it has seen, in order. */
    synchronized List<String> epochs() {
        return received.epochs();
    }

    synchronized String epoch() {
        return received.epoch();
    }

    /** The last offset it processed (its {@code since} for a resume). */
    synchronized long position() {
        return received.offset();
    }

    /** The {@code recovered} flag of each resume, in order. */
    synchronized List<Boolean> recoveries() {
        return new ArrayList<>(recoveries);
    }

    /** The codes of the {@code disconnect} messages it received. */
    synchronized List<Integer> disconnects() {
        return List.copyOf(disconnects);
    }

    /** The close codes of its connections, in order. */
    synchronized List<Integer> closes() {
        return List.copyOf(closes);
    }

    /** The client id of each connection, in order. */
    synchronized List<String> clientIds() {
        return List.copyOf(clientIds);
    }

    /** Resumes the hub refused (its {@code unsubscribed} pushes) and subscribes it answered with 116. */
    synchronized List<String> refusals() {
        return List.copyOf(refusals);
    }

    synchronized List<String> problems() {
        return List.copyOf(problems);
    }
}

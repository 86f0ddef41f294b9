package dev.duplex.cluster;

import dev.duplex.hub.protocol.Command;
import dev.duplex.hub.protocol.ErrorCode;
import dev.duplex.hub.protocol.HubCodec;
import dev.duplex.hub.protocol.Publication;
import dev.duplex.hub.protocol.ServerMessage;
import dev.duplex.hub.protocol.StreamPosition;
import dev.duplex.websocket.WebSocket;
import dev.duplex.websocket.WebSocketClient;
import dev.duplex.websocket.WebSocketListener;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongFunction;

/**
 * One connection to the hub at the protocol level, as the fault tests need it: thousands of them
 * share one {@link WebSocketClient} (a few event-loop threads), and each records exactly what the
 * hub sent, without de-duplicating anything, so that a test can check offsets one by one.
 *
 * <p>With a channel, it subscribes once and then keeps the position a client keeps (epoch and last
 * offset). When its connection closes, it asks {@code resumeTo} where to go and, given a hub,
 * resumes there once, the way the protocol says: {@code connect} with {@code subs} at that position.
 * It does not retry a failed connection: that is recorded as a problem for the test to fail on. When
 * the hub connects it but cannot resume the subscription (it then says why in an {@code unsubscribed}
 * push), it subscribes with {@code since} at the same position, as the Java client does, and repeats
 * that every 250 ms (at most 40 times) while the hub answers error 116, which PROTOCOL.md defines as
 * "retry after a few seconds"; each refusal is counted for the test to see.
 */
final class FaultWire implements WebSocketListener {
    private static final HubCodec CODEC = HubCodec.JSON;

    private final WebSocketClient client;
    private final String channel;
    private final Function<FaultWire, URI> resumeTo;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, CompletableFuture<ServerMessage>> pending = new ConcurrentHashMap<>();
    private volatile WebSocket ws;
    private volatile URI uri;
    private volatile boolean stopped;

    // What the hub sent, guarded by this.
    private final Map<String, Offsets> byEpoch = new LinkedHashMap<>();
    private String epoch;
    private long position;
    private boolean subscribedOnce;
    private final List<Boolean> recoveries = new ArrayList<>();
    private final List<Integer> disconnects = new ArrayList<>();
    private final List<Integer> closes = new ArrayList<>();
    private final List<String> clientIds = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();
    private final List<String> refusals = new ArrayList<>();
    private static final int MAX_RESUBSCRIBES = 40;
    private static final long RESUBSCRIBE_DELAY_MS = 250;

    /**
     * @param channel the channel it subscribes to, or null for a connection that only sends commands
     * @param resumeTo where to resume after its connection closed (null: stay closed)
     */
    FaultWire(WebSocketClient client, String channel, Function<FaultWire, URI> resumeTo) {
        this.client = client;
        this.channel = channel;
        this.resumeTo = resumeTo;
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
            request(id -> new Command.Connect(id, null, "fault-test", null, subs)).whenComplete((reply, error) -> {
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

    /** Subscribes to the channel from where it is now (no {@code since}); completes with the reply. */
    CompletableFuture<ServerMessage> subscribe() {
        return request(id -> new Command.Subscribe(id, channel, null, null)).thenApply(reply -> {
            if (reply instanceof ServerMessage.Subscribed s) {
                subscribed(s, false);
            }
            return reply;
        });
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

    /** Drops the connection from this side without a resume (the test is done with it). */
    void stop() {
        stopped = true;
        WebSocket socket = ws;
        if (socket != null) {
            socket.abort();
        }
    }

    /** Drops the connection as a network failure would: it resumes as after any other close. */
    void drop() {
        WebSocket socket = ws;
        if (socket != null) {
            socket.abort();
        }
    }

    /** Resumes at {@code hub} from the position it has (after {@link #drop} with nowhere to resume to). */
    CompletableFuture<ServerMessage.Connected> resumeAt(URI hub) {
        Map<String, StreamPosition> subs;
        synchronized (this) {
            subs = Map.of(channel, new StreamPosition(position, epoch));
        }
        return open(hub, subs);
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
        if (message instanceof Publication p) {
            if (!p.channel().equals(channel)) {
                problem("publication of another channel: " + p.channel());
                return;
            }
            synchronized (this) {
                byEpoch.computeIfAbsent(epoch, e -> new Offsets()).add(p.offset());
                position = p.offset();
            }
            return;
        }
        if (message instanceof ServerMessage.Unsubscribed u && u.id() == null && u.channel().equals(channel)) {
            synchronized (this) {
                refusals.add("unsubscribed: " + u.reason());
            }
            return;
        }
        if (message instanceof ServerMessage.Disconnect d) {
            synchronized (this) {
                disconnects.add(d.code());
            }
            return;
        }
        Long id = idOf(message);
        CompletableFuture<ServerMessage> reply = id == null ? null : pending.remove(id);
        if (reply != null) {
            reply.complete(message);
        } else {
            problem("unexpected message " + text);
        }
    }

    @Override
    public void onClose(WebSocket socket, int code, String reason) {
        synchronized (this) {
            closes.add(code);
        }
        IllegalStateException closed = new IllegalStateException("connection closed: " + code + " " + reason);
        pending.values().forEach(f -> f.completeExceptionally(closed));
        pending.clear();
        if (stopped || socket != ws) {
            return;
        }
        URI next = resumeTo == null ? null : resumeTo.apply(this);
        if (next == null) {
            return;
        }
        Map<String, StreamPosition> subs;
        synchronized (this) {
            subs = channel != null && subscribedOnce ? Map.of(channel, new StreamPosition(position, epoch)) : null;
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
        StreamPosition since;
        synchronized (this) {
            since = new StreamPosition(position, epoch);
        }
        WebSocket socket = ws;
        request(id -> new Command.Subscribe(id, channel, null, since)).whenComplete((reply, failure) -> {
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
        epoch = s.epoch();
        Offsets offsets = byEpoch.computeIfAbsent(epoch, e -> new Offsets());
        if (s.publications() != null) {
            for (Publication p : s.publications()) {
                offsets.add(p.offset());
            }
        }
        position = s.offset();
    }

    private synchronized void problem(String what) {
        problems.add(what);
    }

    private static Long idOf(ServerMessage m) {
        if (m instanceof ServerMessage.Connected c) {
            return c.id();
        } else if (m instanceof ServerMessage.Subscribed c) {
            return c.id();
        } else if (m instanceof ServerMessage.Ack c) {
            return c.id();
        } else if (m instanceof ServerMessage.Error c) {
            return c.id();
        } else if (m instanceof ServerMessage.HistoryResult c) {
            return c.id();
        } else if (m instanceof ServerMessage.PresenceResult c) {
            return c.id();
        } else if (m instanceof ServerMessage.Pong c) {
            return c.id();
        } else if (m instanceof ServerMessage.Unsubscribed c) {
            return c.id();
        }
        return null;
    }

    // ---- for the test's assertions (copies, taken under the lock)

    /** The offsets received in {@code epoch}, in arrival order, recovered ones included. */
    synchronized long[] offsets(String inEpoch) {
        Offsets o = byEpoch.get(inEpoch);
        return o == null ? new long[0] : o.toArray();
    }

    /** The epochs it has seen, in order. */
    synchronized List<String> epochs() {
        return List.copyOf(byEpoch.keySet());
    }

    synchronized String epoch() {
        return epoch;
    }

    /** The last offset it processed (its {@code since} for a resume). */
    synchronized long position() {
        return position;
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

    /** A growable list of offsets (1,000 subscribers × thousands of offsets, without boxing). */
    private static final class Offsets {
        private long[] values = new long[64];
        private int size;

        void add(long v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }

        long[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }
}

package dev.duplex.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.duplex.hub.protocol.ClientInfo;
import dev.duplex.hub.protocol.Command;
import dev.duplex.hub.protocol.Commands;
import dev.duplex.hub.protocol.DisconnectCode;
import dev.duplex.hub.protocol.ErrorCode;
import dev.duplex.hub.protocol.HubCodec;
import dev.duplex.hub.protocol.ProtocolException;
import dev.duplex.hub.protocol.Publication;
import dev.duplex.hub.protocol.ServerMessage;
import dev.duplex.hub.protocol.StreamPosition;
import dev.duplex.websocket.WebSocket;
import dev.duplex.websocket.WebSocketClient;
import dev.duplex.websocket.WebSocketListener;
import dev.duplex.websocket.WebSocketOptions;
import java.util.Collections;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongFunction;

/**
 * The Java client of the Duplex hub (PROTOCOL.md). One instance keeps one connection to the hub alive
 * for as long as the application wants it:
 *
 * <ul>
 *   <li><b>Reconnects</b> after every failure, with exponential back-off and full jitter, honouring
 *       the hub's {@code retryAfter}, never after {@link #close()} or a disconnect code that says not
 *       to come back (3500–3999, 4500–4999), with an optional limit on attempts and a circuit breaker
 *       that pauses after many failures in a row.</li>
 *   <li><b>Resumes subscriptions</b> in the {@code connect} command itself, recovering from the last
 *       position each one delivered, and de-duplicates by offset: the application sees every
 *       publication exactly once, in order, or is told with
 *       {@link SubscriptionListener#onUnrecoverable} that it must reload its state.</li>
 *   <li><b>Never loses a publish silently</b>: publishes wait in a bounded outbox until acknowledged
 *       and are re-sent in order after a reconnect with the same client message id, so the hub
 *       publishes each once; they fail only when the client stops for good.</li>
 *   <li><b>Detects dead connections</b>: a {@code ping} every heartbeat interval the hub gives, and a
 *       {@code pong} missing for one interval drops the connection and reconnects.</li>
 *   <li><b>Keeps the token fresh</b>: a {@link TokenProvider} is asked on every connection attempt
 *       and again before the token expires ({@code refresh}).</li>
 * </ul>
 *
 * <pre>{@code
 * DuplexClient client = DuplexClient.builder("ws://localhost:8080/connect")
 *         .tokenProvider(() -> myBackend.fetchToken())
 *         .stateListener(event -> System.out.println(event))
 *         .build();
 * client.subscribe("chat:lobby", SubscriptionListener.forPublications((sub, pub) -> show(pub.data())));
 * client.connect();
 * client.publish("chat:lobby", Map.of("text", "hi")).thenAccept(ack -> System.out.println("at " + ack.offset()));
 * // ...
 * client.close();
 * }</pre>
 *
 * <p>Threads: the client owns one thread for its state (timers, replies, reconnects), a WebSocket
 * event loop, and, unless {@link Builder#callbackExecutor} says otherwise, one daemon thread for
 * callbacks: every listener call and every future completion of a client runs there, one at a time,
 * in order, never on a network thread. Do not block on a client's future inside its callbacks (that
 * throws {@link IllegalStateException}); chain with {@code thenAccept} instead. Every method is
 * thread safe.
 */
public final class DuplexClient implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(DuplexClient.class.getName());
    private static final AtomicInteger INSTANCES = new AtomicInteger();
    private static final long REFRESH_RETRY_MILLIS = 5_000;
    private static final int MAX_BACKOFF_EXPONENT = 30;

    // Configuration.
    private final URI uri;
    private final HubCodec codec;
    private final String staticToken;
    private final TokenProvider tokenProvider;
    private final String name;
    private final String version;
    private final List<String> subprotocols;
    private final Map<String, String> headers;
    private final Backoff backoff;
    private final CircuitBreaker breaker;
    private final int maxAttempts;
    private final long commandTimeoutMillis;
    private final long refreshMarginMillis;
    private final long publishTimeoutMillis;
    private final Clock clock;
    private final WebSocketClient webSockets;
    private final boolean ownsWebSockets;
    private final String threadName;

    // Threads.
    private final ScheduledThreadPoolExecutor loop;
    private final CallbackExecutor callbacks;
    private final ExecutorService ownedCallbackThread;
    private final Object tokenThreadsLock = new Object();
    private ExecutorService tokenThreads;

    // Shared between threads.
    private final List<StateListener> stateListeners = new CopyOnWriteArrayList<>();
    /** Guards the order of registry/outbox changes and the loop tasks that follow them. */
    private final Object submitLock = new Object();
    private final Map<String, SubscriptionImpl> subscriptions = new ConcurrentHashMap<>();
    private final Outbox<OutgoingPublish> outbox;
    private final String msgIdPrefix;
    private final AtomicLong msgCounter = new AtomicLong();
    private volatile ConnectionState state = ConnectionState.CLOSED;
    private volatile boolean closed;
    private volatile String clientId;

    // Owned by the loop thread.
    private Connection connection;
    private long nextCommandId;
    private final Map<Long, Pending> pending = new HashMap<>();
    private int failedAttempts;
    private ScheduledFuture<?> retryTask;
    private boolean running;
    private final List<CompletableFuture<Void>> connectWaiters = new ArrayList<>();

    private DuplexClient(Builder b) {
        this.uri = b.uri;
        this.codec = b.codec;
        this.staticToken = b.token;
        this.tokenProvider = b.tokenProvider;
        this.name = b.name;
        this.version = b.version;
        this.subprotocols = List.of(b.codec.subprotocol());
        Map<String, String> h = new LinkedHashMap<>();
        for (String[] header : b.headers) {
            h.put(header[0], header[1]);
        }
        this.headers = Collections.unmodifiableMap(h);
        this.backoff = new Backoff(b.baseDelay, b.maxDelay, b.random);
        this.breaker = new CircuitBreaker(b.breakerFailures, b.breakerOpenPeriod, b.clock);
        this.maxAttempts = b.maxAttempts;
        this.commandTimeoutMillis = b.commandTimeout.toMillis();
        this.refreshMarginMillis = b.refreshMargin.toMillis();
        this.publishTimeoutMillis = b.publishTimeout.toMillis();
        this.clock = b.clock;
        this.outbox = new Outbox<>(b.outboxCapacity);
        this.stateListeners.addAll(b.stateListeners);

        int instance = INSTANCES.incrementAndGet();
        this.threadName = "duplex-client-" + instance;
        this.loop = new ScheduledThreadPoolExecutor(1, daemonThreads(threadName));
        this.loop.setRemoveOnCancelPolicy(true);
        this.loop.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        if (b.callbackExecutor != null) {
            this.ownedCallbackThread = null;
            this.callbacks = new CallbackExecutor(b.callbackExecutor, this);
        } else {
            this.ownedCallbackThread = Executors.newSingleThreadExecutor(daemonThreads(threadName + "-callbacks"));
            this.callbacks = new CallbackExecutor(ownedCallbackThread, this);
        }
        if (b.webSocketClient != null) {
            this.webSockets = b.webSocketClient;
            this.ownsWebSockets = false;
        } else {
            WebSocketOptions options = b.webSocketOptions != null ? b.webSocketOptions
                    : WebSocketOptions.defaults().withMaxMessageBytes(16L << 20).withHandshakeTimeout(b.commandTimeout);
            this.webSockets = WebSocketClient.builder().options(options).build();
            this.ownsWebSockets = true;
        }
        byte[] prefix = new byte[8];
        new SecureRandom().nextBytes(prefix);
        StringBuilder hex = new StringBuilder();
        for (byte x : prefix) {
            hex.append(String.format("%02x", x));
        }
        this.msgIdPrefix = hex.toString();
    }

    /** Starts configuring a client of the hub at {@code uri}, e.g. {@code ws://localhost:8080/connect}. */
    public static Builder builder(URI uri) {
        return new Builder(uri);
    }

    /** Starts configuring a client of the hub at {@code uri}, e.g. {@code "ws://localhost:8080/connect"}. */
    public static Builder builder(String uri) {
        return new Builder(URI.create(uri));
    }

    // ---------------------------------------------------------------------------------------------
    // Public API
    // ---------------------------------------------------------------------------------------------

    /**
     * Starts connecting (and keeps reconnecting until {@link #close()} or a disconnect that says not to
     * come back). Calling it again while the client runs changes nothing; after the client stopped on
     * its own (a 35xx disconnect, or max attempts) it starts over.
     *
     * @return a future completed when the connection is next {@link ConnectionState#OPEN}; it fails
     *     with {@link ClientClosedException} if the client stops first. It never times out by itself:
     *     bound the wait with {@code get(timeout)}.
     */
    public CompletableFuture<Void> connect() {
        ClientFuture<Void> future = new ClientFuture<>(this);
        if (closed || !post(() -> {
            if (closed) {
                fail(future, closedException());
                return;
            }
            if (state == ConnectionState.OPEN) {
                complete(future, null);
                return;
            }
            connectWaiters.add(future);
            if (!running) {
                running = true;
                failedAttempts = 0;
                startAttempt();
            }
        })) {
            future.completeExceptionally(closedException());
        }
        return future;
    }

    /** The current connection state. */
    public ConnectionState state() {
        return state;
    }

    /** The hub's id of the current connection ({@code connected.client}), or null when not connected. */
    public String clientId() {
        return clientId;
    }

    /** Adds a listener for every later state change. */
    public void addStateListener(StateListener listener) {
        stateListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Removes a listener added with {@link #addStateListener} or {@link Builder#stateListener}. */
    public void removeStateListener(StateListener listener) {
        stateListeners.remove(listener);
    }

    /** Subscribes to {@code channel} with default options; see {@link #subscribe(String, SubscriptionListener, SubscriptionOptions)}. */
    public Subscription subscribe(String channel, SubscriptionListener listener) {
        return subscribe(channel, listener, SubscriptionOptions.defaults());
    }

    /**
     * Subscribes to {@code channel}. The subscription is sent at once when connected, otherwise with
     * the next {@code connect}; it lasts across reconnects until {@link Subscription#unsubscribe()},
     * an error the hub will keep answering, or {@link #close()}.
     *
     * @throws IllegalStateException when this client is subscribed to the channel already
     * @throws IllegalArgumentException for a channel name the hub would refuse
     * @throws ClientClosedException after {@link #close()}
     */
    public Subscription subscribe(String channel, SubscriptionListener listener, SubscriptionOptions options) {
        validateChannel(channel);
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(options, "options");
        synchronized (submitLock) {
            if (closed) {
                throw closedException();
            }
            if (subscriptions.containsKey(channel)) {
                throw new IllegalStateException("Already subscribed to \"" + channel
                        + "\": unsubscribe first, or use subscription(channel)");
            }
            SubscriptionImpl s = new SubscriptionImpl(channel, listener, options);
            subscriptions.put(channel, s);
            post(() -> {
                Connection c = connection;
                if (c != null && c.open && isCurrent(s) && s.requestedOn != c) {
                    sendSubscribe(s, c);
                }
            });
            return s;
        }
    }

    /** The live subscription to {@code channel}, if any. */
    public Optional<Subscription> subscription(String channel) {
        return Optional.ofNullable(subscriptions.get(channel));
    }

    /** Publishes {@code data} without a key; see {@link #publish(String, Object, String)}. */
    public CompletableFuture<PublishResult> publish(String channel, Object data) {
        return publish(channel, data, null);
    }

    /**
     * Publishes {@code data} (a {@link JsonNode}, or any value the codec's {@link #mapper()} can
     * convert, such as a record or a map) to {@code channel}. The publish gets a client message id and
     * waits in the outbox until the hub acknowledges it: while the client is not connected it is sent
     * after the next {@code connected}, and a publish that was in flight when a connection dropped is
     * sent again, in order, with the same id, so the hub publishes it once (the ack then says
     * {@link PublishResult#duplicate()}).
     *
     * @param key the key for keep-latest-per-key delivery, or null
     * @return a future completed with the hub's ack; failed with {@link HubErrorException} when the
     *     hub refused the publish, {@link OutboxFullException} at once when the outbox is full,
     *     {@link ClientClosedException} when the client stops for good first,
     *     {@link TimeoutException} after the publish timeout (if one is configured), or
     *     {@link IllegalArgumentException} for data that cannot be converted
     */
    public CompletableFuture<PublishResult> publish(String channel, Object data, String key) {
        validateChannel(channel);
        Objects.requireNonNull(data, "data");
        ClientFuture<PublishResult> future = new ClientFuture<>(this);
        JsonNode node;
        try {
            node = data instanceof JsonNode ? (JsonNode) data : codec.mapper().valueToTree(data);
        } catch (IllegalArgumentException e) {
            future.completeExceptionally(new IllegalArgumentException("Cannot convert the data of a publish to "
                    + channel + " with the codec's mapper: " + e.getMessage(), e));
            return future;
        }
        OutgoingPublish entry = new OutgoingPublish(msgIdPrefix + "-" + msgCounter.incrementAndGet(), channel, node,
                key, future);
        synchronized (submitLock) {
            if (closed) {
                future.completeExceptionally(closedException());
                return future;
            }
            if (!outbox.offer(entry.msgId, entry)) {
                future.completeExceptionally(new OutboxFullException(outbox.capacity()));
                return future;
            }
            if (!post(() -> onPublishSubmitted(entry))) {
                outbox.remove(entry.msgId);
                future.completeExceptionally(closedException());
            }
        }
        return future;
    }

    /**
     * Who is subscribed to {@code channel} now.
     *
     * @return a future failed with {@link NotConnectedException} at once when the client is not
     *     connected (or when the connection drops before the reply), {@link HubErrorException} (e.g.
     *     presence off in the namespace), or {@link TimeoutException} after the command timeout
     */
    public CompletableFuture<List<ClientInfo>> presence(String channel) {
        validateChannel(channel);
        ClientFuture<List<ClientInfo>> future = new ClientFuture<>(this);
        request(future, Kind.PRESENCE, channel, id -> new Command.Presence(id, channel));
        return future;
    }

    /** The whole history window of {@code channel}; see {@link #history(String, StreamPosition, Integer)}. */
    public CompletableFuture<HistoryResult> history(String channel) {
        return history(channel, null, null);
    }

    /**
     * Reads {@code channel}'s history.
     *
     * @param since only the publications after this position; null for the whole window
     * @param limit at most this many publications; null for no limit
     * @return a future failed like {@link #presence}'s; a {@code since} no longer in history fails
     *     with {@link HubErrorException} code {@link ErrorCode#UNRECOVERABLE_POSITION}
     */
    public CompletableFuture<HistoryResult> history(String channel, StreamPosition since, Integer limit) {
        validateChannel(channel);
        if (limit != null && limit < 0) {
            throw new IllegalArgumentException("limit must not be negative: " + limit);
        }
        ClientFuture<HistoryResult> future = new ClientFuture<>(this);
        request(future, Kind.HISTORY, channel, id -> new Command.History(id, channel, since, limit));
        return future;
    }

    /**
     * Drops the connection at once, without a close handshake and without stopping the client: it
     * reconnects (with back-off) and resumes subscriptions and the outbox exactly as after a network
     * failure. Useful for a "reconnect" button, after the device changed networks, and in tests.
     */
    public void disconnectNow() {
        post(() -> {
            Connection c = connection;
            if (c != null) {
                abortConnection(c, "dropped by the application (disconnectNow)");
            }
        });
    }

    /** Publishes waiting for their ack. */
    public int outboxSize() {
        return outbox.size();
    }

    /** The wire format's mapper: convert {@link Publication#data()} with {@code mapper().treeToValue(data, Type.class)}. */
    public ObjectMapper mapper() {
        return codec.mapper();
    }

    /** The wire format. */
    public HubCodec codec() {
        return codec;
    }

    /** The hub's URI. */
    public URI uri() {
        return uri;
    }

    /**
     * Closes the client for good: the connection is closed with 1000, nothing reconnects, pending
     * requests and every publish still in the outbox fail with {@link ClientClosedException},
     * subscriptions end. Returns when the WebSocket is closed (at most the WebSocket close timeout,
     * 5 s by default, when the client owns its WebSocket client) and the client's threads are
     * stopping. The callbacks already queued, ending with the {@link ConnectionState#CLOSED} event,
     * have run by then when the client runs callbacks on its own thread (no
     * {@code callbackExecutor}) and {@code close} is not called from a callback; otherwise they still
     * run, after. Idempotent.
     */
    @Override
    public void close() {
        synchronized (submitLock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (!post(() -> {
            try {
                shutdownOnLoop();
            } finally {
                done.complete(null);
            }
        })) {
            done.complete(null);
        }
        try {
            done.get(commandTimeoutMillis + 1_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.log(System.Logger.Level.WARNING, "DuplexClient.close: the client thread did not stop in time", e);
        }
        if (ownsWebSockets) {
            webSockets.close();
        }
        loop.shutdownNow();
        synchronized (tokenThreadsLock) {
            if (tokenThreads != null) {
                tokenThreads.shutdownNow();
            }
        }
        if (ownedCallbackThread != null) {
            ownedCallbackThread.shutdown();
            if (!CallbackExecutor.inCallbackOf(this)) {
                // The final state events (CLOSING, CLOSED) reach the listener before close returns:
                // an application that reads its own record of them right after close sees them.
                try {
                    ownedCallbackThread.awaitTermination(commandTimeoutMillis, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    @Override
    public String toString() {
        return "DuplexClient[" + uri + ", " + state + (clientId == null ? "" : ", " + clientId) + "]";
    }

    // ---------------------------------------------------------------------------------------------
    // Connection life (loop thread)
    // ---------------------------------------------------------------------------------------------

    private void startAttempt() {
        retryTask = null;
        if (closed || !running || connection != null) {
            return;
        }
        Connection c = new Connection(failedAttempts + 1);
        connection = c;
        setState(ConnectionState.CONNECTING, null, null, false, null, c.attempt, null);
        if (tokenProvider == null) {
            openSocket(c, staticToken);
        } else {
            fetch(tokenProvider::token,
                    token -> openSocket(c, token),
                    error -> {
                        if (connection == c && !c.ended) {
                            endConnection(c, 1006, "the token provider failed: " + describe(error), true, null, error);
                        }
                    });
        }
    }

    private void openSocket(Connection c, String token) {
        if (connection != c || c.ended) {
            return;
        }
        c.token = token;
        CompletableFuture<WebSocket> opening;
        try {
            opening = webSockets.connect(uri, subprotocols, headers, new SocketListener(c));
        } catch (RuntimeException e) {
            endConnection(c, 1006, "cannot connect: " + describe(e), true, null, e);
            return;
        }
        opening.whenComplete((ws, error) -> {
            if (error != null) {
                Throwable cause = unwrap(error);
                post(() -> {
                    if (connection == c && !c.ended) {
                        endConnection(c, 1006, "connection failed: " + describe(cause), true, null, cause);
                    }
                });
            }
        });
    }

    private void socketOpened(Connection c, WebSocket ws) {
        if (connection != c || c.ended) {
            ws.abort();
            return;
        }
        c.ws = ws;
        if (!codec.subprotocol().equals(ws.subprotocol())) {
            endConnection(c, DisconnectCode.UNSUPPORTED_PROTOCOL.code(), "the server did not agree to the subprotocol "
                    + codec.subprotocol() + " (is " + uri + " a Duplex hub?)", false, null, null);
            return;
        }
        Map<String, StreamPosition> subs = new LinkedHashMap<>();
        for (SubscriptionImpl s : subscriptions.values()) {
            if (s.state == SubscriptionState.UNSUBSCRIBED || s.tokenProvider != null) {
                continue; // channels with subscription tokens are subscribed one by one after connected
            }
            StreamPosition since = s.tracker.position();
            subs.put(s.channel, since);
            s.requestedOn = c;
            s.askedSince = since;
            c.resumed.put(s.channel, s);
        }
        long id = nextId();
        pending.put(id, new Pending(Kind.CONNECT, c, null, null));
        send(c, new Command.Connect(id, c.token, name, version, subs.isEmpty() ? null : subs));
        c.connectTimer = schedule(commandTimeoutMillis, () -> {
            if (connection == c && !c.open && !c.ended) {
                abortConnection(c, "no reply to connect within " + commandTimeoutMillis + " ms");
            }
        });
    }

    private void onConnected(Connection c, ServerMessage.Connected m) {
        if (m.id() != null) {
            pending.remove(m.id());
        }
        if (c.open) {
            return;
        }
        cancel(c.connectTimer);
        c.open = true;
        clientId = m.client();
        failedAttempts = 0;
        breaker.onSuccess();
        setState(ConnectionState.OPEN, null, null, false, null, c.attempt, null);
        for (CompletableFuture<Void> waiter : connectWaiters) {
            complete(waiter, null);
        }
        connectWaiters.clear();

        Map<String, ServerMessage.Subscribed> replies = m.subs() == null ? Map.of() : m.subs();
        for (Map.Entry<String, SubscriptionImpl> resumed : c.resumed.entrySet()) {
            SubscriptionImpl s = resumed.getValue();
            ServerMessage.Subscribed reply = replies.get(resumed.getKey());
            if (!isCurrent(s) || s.state == SubscriptionState.UNSUBSCRIBED) {
                // Unsubscribed while the connect was on its way: undo what the hub resumed.
                if (reply != null) {
                    sendUnsubscribe(c, s.channel);
                }
                continue;
            }
            if (reply != null) {
                applySubscribed(s, reply);
            } else {
                // The hub could not resume it and says so with an unsubscribed push; subscribing on
                // its own gets the error code to the listener (or succeeds if the cause was transient).
                s.requestedOn = null;
                s.resumeRefusedOn = c;
            }
        }
        for (SubscriptionImpl s : subscriptions.values()) {
            if (s.state != SubscriptionState.UNSUBSCRIBED && s.requestedOn != c && s.retry == null) {
                sendSubscribe(s, c);
            }
        }
        startHeartbeat(c, m.heartbeat());
        scheduleRefresh(c, m.expires());
        for (OutgoingPublish entry : outbox.inOrder()) {
            if (entry.sentOn != c) {
                sendPublish(c, entry);
            }
        }
    }

    private void socketClosed(Connection c, int code, String reason) {
        if (connection != c || c.ended) {
            return;
        }
        ServerMessage.Disconnect d = c.disconnect;
        if (d != null) {
            endConnection(c, d.code(), d.reason(), d.reconnect() && DisconnectCode.shouldReconnect(d.code()),
                    d.retryAfter(), null);
        } else {
            endConnection(c, code, reason == null || reason.isEmpty() ? null : reason,
                    DisconnectCode.shouldReconnect(code), null, null);
        }
    }

    private void abortConnection(Connection c, String reason) {
        endConnection(c, 1006, reason, true, null, null);
    }

    /** The connection (or attempt) {@code c} is over: clean up, then reconnect, or stop. */
    private void endConnection(Connection c, int code, String reason, boolean reconnect, Long retryAfter, Throwable error) {
        if (c.ended) {
            return;
        }
        c.ended = true;
        if (connection == c) {
            connection = null;
        }
        c.cancelTimers();
        clientId = null;
        WebSocket ws = c.ws;
        if (ws != null && !ws.isClosed()) {
            ws.abort();
        }
        failPending(new NotConnectedException("The connection to the hub was lost before the reply came ("
                + code + (reason == null ? "" : " " + reason) + ")"));
        for (SubscriptionImpl s : subscriptions.values()) {
            if (s.state != SubscriptionState.UNSUBSCRIBED) {
                s.state = SubscriptionState.SUBSCRIBING;
            }
            s.requestedOn = null;
            s.resumeRefusedOn = null;
            s.buffered.clear();
            cancel(s.retry);
            s.retry = null;
        }
        if (!c.open) {
            failedAttempts++;
            breaker.onFailure();
        }
        if (closed) {
            return;
        }
        if (!reconnect) {
            stop(code, reason, error);
            return;
        }
        if (maxAttempts > 0 && failedAttempts >= maxAttempts) {
            stop(code, (reason == null ? "" : reason + "; ") + "gave up after " + failedAttempts
                    + " failed attempt" + (failedAttempts == 1 ? "" : "s"), error);
            return;
        }
        long delay = backoff.delayMillis(Math.min(Math.max(0, failedAttempts - 1), MAX_BACKOFF_EXPONENT));
        if (retryAfter != null && retryAfter > delay) {
            delay = retryAfter;
        }
        delay = Math.max(delay, breaker.delayMillis());
        setState(ConnectionState.CLOSED, code, reason, true, Duration.ofMillis(delay), failedAttempts, error);
        retryTask = schedule(delay, this::startAttempt);
    }

    /** Stops reconnecting on the hub's word (or after max attempts); {@link #connect()} can start again. */
    private void stop(int code, String reason, Throwable error) {
        running = false;
        ClientClosedException ex = new ClientClosedException(code, "The client stopped: " + code
                + (reason == null ? "" : " (" + reason + ")") + "; call connect() to start again");
        for (OutgoingPublish entry : outbox.drain()) {
            cancel(entry.timeout);
            fail(entry.future, ex);
        }
        for (CompletableFuture<Void> waiter : connectWaiters) {
            fail(waiter, ex);
        }
        connectWaiters.clear();
        setState(ConnectionState.CLOSED, code, reason, false, null, failedAttempts, error);
    }

    private void shutdownOnLoop() {
        running = false;
        cancel(retryTask);
        retryTask = null;
        Connection c = connection;
        connection = null;
        clientId = null;
        if (c != null && !c.ended) {
            c.ended = true;
            c.cancelTimers();
            setState(ConnectionState.CLOSING, null, null, false, null, failedAttempts, null);
            if (c.ws != null) {
                c.ws.close(1000, "client closed");
            }
        }
        ClientClosedException ex = closedException();
        failPending(ex);
        for (OutgoingPublish entry : outbox.drain()) {
            cancel(entry.timeout);
            fail(entry.future, ex);
        }
        for (CompletableFuture<Void> waiter : connectWaiters) {
            fail(waiter, ex);
        }
        connectWaiters.clear();
        synchronized (submitLock) {
            for (SubscriptionImpl s : subscriptions.values()) {
                s.state = SubscriptionState.UNSUBSCRIBED;
                s.cancelled = true;
                cancel(s.retry);
            }
            subscriptions.clear();
        }
        setState(ConnectionState.CLOSED, 1000, "client closed", false, null, failedAttempts, null);
    }

    private void failPending(DuplexClientException ex) {
        for (Pending p : pending.values()) {
            cancel(p.timeout);
            if ((p.kind == Kind.PRESENCE || p.kind == Kind.HISTORY) && p.future != null) {
                fail(p.future, ex);
            }
        }
        pending.clear();
    }

    // ---------------------------------------------------------------------------------------------
    // Messages from the hub (loop thread)
    // ---------------------------------------------------------------------------------------------

    private void onMessage(Connection c, ServerMessage message) {
        if (connection != c || c.ended) {
            return;
        }
        if (message instanceof Publication) {
            onPublication(c, (Publication) message);
        } else if (message instanceof ServerMessage.Ack) {
            onAck((ServerMessage.Ack) message);
        } else if (message instanceof ServerMessage.Connected) {
            onConnected(c, (ServerMessage.Connected) message);
        } else if (message instanceof ServerMessage.Subscribed) {
            onSubscribedReply(c, (ServerMessage.Subscribed) message);
        } else if (message instanceof ServerMessage.Unsubscribed) {
            onUnsubscribed(c, (ServerMessage.Unsubscribed) message);
        } else if (message instanceof ServerMessage.Join) {
            ServerMessage.Join join = (ServerMessage.Join) message;
            SubscriptionImpl s = subscriptions.get(join.channel());
            if (s != null && s.state == SubscriptionState.SUBSCRIBED) {
                dispatchTo(s, () -> s.listener.onJoin(s, join.info()));
            }
        } else if (message instanceof ServerMessage.Leave) {
            ServerMessage.Leave leave = (ServerMessage.Leave) message;
            SubscriptionImpl s = subscriptions.get(leave.channel());
            if (s != null && s.state == SubscriptionState.SUBSCRIBED) {
                dispatchTo(s, () -> s.listener.onLeave(s, leave.info()));
            }
        } else if (message instanceof ServerMessage.Pong) {
            ServerMessage.Pong pong = (ServerMessage.Pong) message;
            if (pong.id() != null) {
                pending.remove(pong.id());
            }
            c.outstandingPing = null;
        } else if (message instanceof ServerMessage.PresenceResult) {
            ServerMessage.PresenceResult r = (ServerMessage.PresenceResult) message;
            Pending p = takePending(r.id(), Kind.PRESENCE);
            if (p != null) {
                complete(p.future, r.clients() == null ? List.of() : List.copyOf(r.clients()));
            }
        } else if (message instanceof ServerMessage.HistoryResult) {
            ServerMessage.HistoryResult r = (ServerMessage.HistoryResult) message;
            Pending p = takePending(r.id(), Kind.HISTORY);
            if (p != null) {
                complete(p.future, new HistoryResult(r.channel(), new StreamPosition(r.offset(), r.epoch()),
                        r.publications()));
            }
        } else if (message instanceof ServerMessage.Refreshed) {
            ServerMessage.Refreshed r = (ServerMessage.Refreshed) message;
            takePending(r.id(), Kind.REFRESH);
            scheduleRefresh(c, r.expires());
        } else if (message instanceof ServerMessage.Error) {
            onError(c, (ServerMessage.Error) message);
        } else if (message instanceof ServerMessage.Disconnect) {
            c.disconnect = (ServerMessage.Disconnect) message;
        }
    }

    private Pending takePending(Long id, Kind kind) {
        if (id == null) {
            return null;
        }
        Pending p = pending.get(id);
        if (p == null || p.kind != kind) {
            return null;
        }
        pending.remove(id);
        cancel(p.timeout);
        return p;
    }

    private void onError(Connection c, ServerMessage.Error error) {
        Pending p = error.id() == null ? null : pending.remove(error.id());
        HubErrorException ex = new HubErrorException(error.code(), error.message());
        if (p == null) {
            LOG.log(System.Logger.Level.DEBUG, "Hub error without a pending command: {0}", ex.getMessage());
            return;
        }
        cancel(p.timeout);
        switch (p.kind) {
            case CONNECT:
                boolean denied = error.code() == ErrorCode.UNAUTHORIZED.code()
                        || error.code() == ErrorCode.PERMISSION_DENIED.code();
                endConnection(c, denied ? DisconnectCode.UNAUTHORIZED.code() : 1006,
                        "connect refused: " + ex.getMessage(), !denied, null, ex);
                break;
            case SUBSCRIBE:
                subscribeFailed(p.subscription, c, ex, isTransient(error.code()));
                break;
            case PUBLISH:
                outbox.remove(p.publish.msgId);
                cancel(p.publish.timeout);
                fail(p.publish.future, ex);
                break;
            case PRESENCE:
            case HISTORY:
                fail(p.future, ex);
                break;
            case PING:
                c.outstandingPing = null; // an answer all the same: the connection is alive
                break;
            case REFRESH:
                LOG.log(System.Logger.Level.DEBUG, "Token refresh refused, retrying: {0}", ex.getMessage());
                cancel(c.refreshTimer);
                c.refreshTimer = schedule(REFRESH_RETRY_MILLIS, () -> refresh(c));
                break;
            default:
                break;
        }
    }

    private static boolean isTransient(int code) {
        return code == ErrorCode.INTERNAL.code() || code == ErrorCode.TOO_MANY_REQUESTS.code()
                || code == ErrorCode.TOKEN_EXPIRED.code();
    }

    // ---------------------------------------------------------------------------------------------
    // Subscriptions (loop thread)
    // ---------------------------------------------------------------------------------------------

    private boolean isCurrent(SubscriptionImpl s) {
        return subscriptions.get(s.channel) == s;
    }

    private void sendSubscribe(SubscriptionImpl s, Connection c) {
        s.requestedOn = c;
        if (s.tokenProvider == null) {
            sendSubscribeCommand(s, c, null);
            return;
        }
        fetch(() -> s.tokenProvider.token(s.channel),
                token -> {
                    if (connection == c && c.open && s.requestedOn == c && isCurrent(s)) {
                        sendSubscribeCommand(s, c, token);
                    }
                },
                error -> {
                    if (connection == c && c.open && s.requestedOn == c && isCurrent(s)) {
                        subscribeFailed(s, c, new DuplexClientException("The subscription token provider failed for \""
                                + s.channel + "\": " + describe(error), error), true);
                    }
                });
    }

    private void sendSubscribeCommand(SubscriptionImpl s, Connection c, String token) {
        long id = nextId();
        StreamPosition since = s.tracker.position();
        s.askedSince = since;
        Pending p = new Pending(Kind.SUBSCRIBE, c, null, null);
        p.subscription = s;
        p.timeout = schedule(commandTimeoutMillis, () -> {
            if (connection == c && pending.get(id) == p) {
                abortConnection(c, "no reply to subscribe \"" + s.channel + "\" within " + commandTimeoutMillis + " ms");
            }
        });
        pending.put(id, p);
        send(c, new Command.Subscribe(id, s.channel, token, since));
    }

    private void sendUnsubscribe(Connection c, String channel) {
        long id = nextId();
        pending.put(id, new Pending(Kind.UNSUBSCRIBE, c, null, null));
        send(c, new Command.Unsubscribe(id, channel));
    }

    private void onSubscribedReply(Connection c, ServerMessage.Subscribed reply) {
        Pending p = takePending(reply.id(), Kind.SUBSCRIBE);
        SubscriptionImpl s = p != null ? p.subscription : subscriptions.get(reply.channel());
        if (s == null || !isCurrent(s) || s.requestedOn != c) {
            return;
        }
        applySubscribed(s, reply);
    }

    private void applySubscribed(SubscriptionImpl s, ServerMessage.Subscribed reply) {
        if (s.state == SubscriptionState.UNSUBSCRIBED) {
            return;
        }
        StreamTracker.Outcome outcome = s.tracker.onSubscribed(s.askedSince, reply.epoch(), reply.offset(),
                reply.recovered(), reply.publications());
        s.state = SubscriptionState.SUBSCRIBED;
        s.failures = 0;
        List<Publication> deliver = new ArrayList<>(outcome.deliver());
        for (Publication buffered : s.buffered) {
            if (s.tracker.accept(buffered)) {
                deliver.add(buffered);
            }
        }
        s.buffered.clear();
        StreamPosition finalPosition = s.tracker.position();
        String epoch = finalPosition.epoch();
        if (outcome.unrecoverable()) {
            dispatchTo(s, () -> {
                if (deliver.isEmpty()) {
                    s.position = finalPosition;
                }
                s.listener.onUnrecoverable(s, outcome.position());
            });
        }
        dispatchTo(s, () -> {
            if (deliver.isEmpty()) {
                s.position = finalPosition;
            }
            s.listener.onSubscribed(s, outcome.recovered(), outcome.position());
        });
        for (int i = 0; i < deliver.size(); i++) {
            Publication publication = deliver.get(i);
            boolean last = i == deliver.size() - 1;
            dispatchTo(s, () -> {
                s.position = last ? finalPosition : new StreamPosition(publication.offset(), epoch);
                s.listener.onPublication(s, publication);
            });
        }
    }

    private void onPublication(Connection c, Publication publication) {
        SubscriptionImpl s = subscriptions.get(publication.channel());
        if (s == null || s.requestedOn != c) {
            return;
        }
        if (s.state == SubscriptionState.SUBSCRIBING) {
            s.buffered.add(publication); // the subscribed reply decides what is new
            return;
        }
        if (s.state == SubscriptionState.SUBSCRIBED && s.tracker.accept(publication)) {
            StreamPosition position = s.tracker.position();
            dispatchTo(s, () -> {
                s.position = position;
                s.listener.onPublication(s, publication);
            });
        }
    }

    private void onUnsubscribed(Connection c, ServerMessage.Unsubscribed message) {
        if (message.id() != null) {
            // The reply to our unsubscribe, or to a subscribe overtaken by it: nothing more to do.
            Pending p = pending.remove(message.id());
            if (p != null) {
                cancel(p.timeout);
            }
            return;
        }
        SubscriptionImpl s = subscriptions.get(message.channel());
        if (s == null || s.state == SubscriptionState.UNSUBSCRIBED) {
            return;
        }
        if (s.resumeRefusedOn == c) {
            s.resumeRefusedOn = null; // the subscribe sent after connected answers for it
            return;
        }
        s.state = SubscriptionState.UNSUBSCRIBED;
        synchronized (submitLock) {
            subscriptions.remove(s.channel, s);
        }
        callbacks.execute(() -> {
            if (!s.cancelled) {
                s.listener.onUnsubscribed(s, message.reason());
            }
        });
    }

    private void subscribeFailed(SubscriptionImpl s, Connection c, DuplexClientException error, boolean transientError) {
        if (s.state == SubscriptionState.UNSUBSCRIBED || !isCurrent(s)) {
            return;
        }
        s.buffered.clear();
        if (transientError) {
            s.failures++;
            s.requestedOn = null;
            long delay = Math.max(100, backoff.delayMillis(Math.min(s.failures, MAX_BACKOFF_EXPONENT)));
            s.retry = schedule(delay, () -> {
                s.retry = null;
                if (connection == c && c.open && isCurrent(s) && s.state != SubscriptionState.UNSUBSCRIBED) {
                    sendSubscribe(s, c);
                }
            });
        } else {
            s.state = SubscriptionState.UNSUBSCRIBED;
            synchronized (submitLock) {
                subscriptions.remove(s.channel, s);
            }
        }
        callbacks.execute(() -> {
            if (!s.cancelled) {
                s.listener.onError(s, error);
            }
        });
    }

    private void dispatchTo(SubscriptionImpl s, Runnable call) {
        callbacks.execute(() -> {
            if (!s.cancelled) {
                call.run();
            }
        });
    }

    // ---------------------------------------------------------------------------------------------
    // Publishes and requests (loop thread)
    // ---------------------------------------------------------------------------------------------

    private void onPublishSubmitted(OutgoingPublish entry) {
        if (!outbox.contains(entry.msgId)) {
            return;
        }
        if (publishTimeoutMillis > 0) {
            entry.timeout = schedule(publishTimeoutMillis, () -> {
                if (outbox.remove(entry.msgId) != null) {
                    fail(entry.future, new TimeoutException("No ack for the publish " + entry.msgId + " to \""
                            + entry.channel + "\" within " + publishTimeoutMillis + " ms (it may still have been published)"));
                }
            });
        }
        Connection c = connection;
        if (c != null && c.open && entry.sentOn != c) {
            sendPublish(c, entry);
        }
    }

    private void sendPublish(Connection c, OutgoingPublish entry) {
        long id = nextId();
        Pending p = new Pending(Kind.PUBLISH, c, null, null);
        p.publish = entry;
        pending.put(id, p);
        entry.sentOn = c;
        send(c, new Command.Publish(id, entry.channel, entry.data, entry.msgId, entry.key));
    }

    private void onAck(ServerMessage.Ack ack) {
        Pending p = takePending(ack.id(), Kind.PUBLISH);
        if (p == null) {
            return;
        }
        OutgoingPublish entry = p.publish;
        outbox.remove(entry.msgId);
        cancel(entry.timeout);
        complete(entry.future, new PublishResult(ack.channel() == null ? entry.channel : ack.channel(), entry.msgId,
                ack.epoch(), ack.offset(), ack.duplicate()));
    }

    private <T> void request(ClientFuture<T> future, Kind kind, String channel, LongFunction<Command> command) {
        if (closed || !post(() -> {
            if (closed) {
                fail(future, closedException());
                return;
            }
            Connection c = connection;
            if (c == null || !c.open) {
                fail(future, new NotConnectedException("Not connected to the hub (state " + state + "): "
                        + kind.name().toLowerCase() + " of \"" + channel + "\" needs an open connection"));
                return;
            }
            long id = nextId();
            Pending p = new Pending(kind, c, future, channel);
            p.timeout = schedule(commandTimeoutMillis, () -> {
                if (pending.remove(id, p)) {
                    fail(future, new TimeoutException("No reply to " + kind.name().toLowerCase() + " of \"" + channel
                            + "\" within " + commandTimeoutMillis + " ms"));
                }
            });
            pending.put(id, p);
            send(c, command.apply(id));
        })) {
            future.completeExceptionally(closedException());
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Heartbeat and token refresh (loop thread)
    // ---------------------------------------------------------------------------------------------

    private void startHeartbeat(Connection c, long intervalMillis) {
        if (intervalMillis <= 0) {
            return;
        }
        try {
            c.heartbeatTimer = loop.scheduleWithFixedDelay(() -> runSafely(() -> heartbeat(c, intervalMillis)),
                    intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    private void heartbeat(Connection c, long intervalMillis) {
        if (connection != c || c.ended || !c.open) {
            return;
        }
        if (c.outstandingPing != null) {
            abortConnection(c, "no pong within the heartbeat interval (" + intervalMillis + " ms): the connection is dead");
            return;
        }
        long id = nextId();
        c.outstandingPing = id;
        pending.put(id, new Pending(Kind.PING, c, null, null));
        send(c, new Command.Ping(id));
    }

    private void scheduleRefresh(Connection c, Long expires) {
        cancel(c.refreshTimer);
        c.refreshTimer = null;
        if (expires == null || tokenProvider == null) {
            return;
        }
        long remaining = expires - clock.millis();
        long lead = Math.min(refreshMarginMillis, Math.max(0, remaining / 2));
        long delay = Math.max(0, remaining - lead);
        c.refreshTimer = schedule(delay, () -> refresh(c));
    }

    private void refresh(Connection c) {
        if (connection != c || !c.open) {
            return;
        }
        fetch(tokenProvider::token,
                token -> {
                    if (connection != c || !c.open) {
                        return;
                    }
                    if (token == null || token.isEmpty()) {
                        c.refreshTimer = schedule(REFRESH_RETRY_MILLIS, () -> refresh(c));
                        return;
                    }
                    long id = nextId();
                    pending.put(id, new Pending(Kind.REFRESH, c, null, null));
                    send(c, new Command.Refresh(id, token));
                },
                error -> {
                    if (connection == c && c.open) {
                        LOG.log(System.Logger.Level.DEBUG, "Token refresh failed, retrying: {0}", describe(error));
                        c.refreshTimer = schedule(REFRESH_RETRY_MILLIS, () -> refresh(c));
                    }
                });
    }

    // ---------------------------------------------------------------------------------------------
    // Plumbing
    // ---------------------------------------------------------------------------------------------

    private long nextId() {
        return ++nextCommandId;
    }

    private void send(Connection c, Command command) {
        WebSocket ws = c.ws;
        if (ws == null) {
            return;
        }
        byte[] bytes = codec.encode(command);
        boolean queued = codec.binary() ? ws.sendBinary(ByteBuffer.wrap(bytes))
                : ws.sendText(new String(bytes, StandardCharsets.UTF_8));
        if (!queued) {
            LOG.log(System.Logger.Level.DEBUG, "A command was not queued (the connection is closing)");
        }
    }

    /** Runs a blocking call (a token provider) off the loop thread, bounded by the command timeout. */
    private void fetch(Callable<String> call, Consumer<String> onToken, Consumer<Throwable> onError) {
        ExecutorService threads;
        synchronized (tokenThreadsLock) {
            if (tokenThreads == null) {
                tokenThreads = Executors.newCachedThreadPool(daemonThreads(threadName + "-tokens"));
            }
            threads = tokenThreads;
        }
        CompletableFuture<String> token;
        try {
            token = CompletableFuture.supplyAsync(() -> {
                try {
                    return call.call();
                } catch (Exception e) {
                    throw new CompletionException(e);
                }
            }, threads);
        } catch (RejectedExecutionException e) {
            return; // closing
        }
        token.orTimeout(commandTimeoutMillis, TimeUnit.MILLISECONDS).whenComplete((value, error) -> post(() -> {
            if (error != null) {
                Throwable cause = unwrap(error);
                onError.accept(cause instanceof TimeoutException
                        ? new TimeoutException("The token provider did not answer within " + commandTimeoutMillis + " ms")
                        : cause);
            } else {
                onToken.accept(value);
            }
        }));
    }

    private void setState(ConnectionState newState, Integer code, String reason, boolean willReconnect,
            Duration nextRetryDelay, int attempt, Throwable error) {
        state = newState;
        StateEvent event = new StateEvent(newState, code, reason, willReconnect, nextRetryDelay, attempt, error);
        LOG.log(System.Logger.Level.DEBUG, "{0}: {1}", threadName, event);
        if (!stateListeners.isEmpty()) {
            callbacks.execute(() -> {
                for (StateListener listener : stateListeners) {
                    try {
                        listener.onStateChange(event);
                    } catch (RuntimeException e) {
                        LOG.log(System.Logger.Level.WARNING, "A state listener threw; the client goes on", e);
                    }
                }
            });
        }
    }

    private <T> void complete(CompletableFuture<T> future, T value) {
        callbacks.execute(() -> future.complete(value));
    }

    private void fail(CompletableFuture<?> future, Throwable error) {
        callbacks.execute(() -> future.completeExceptionally(error));
    }

    private boolean post(Runnable task) {
        try {
            loop.execute(() -> runSafely(task));
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    private ScheduledFuture<?> schedule(long delayMillis, Runnable task) {
        try {
            return loop.schedule(() -> runSafely(task), Math.max(0, delayMillis), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            return null;
        }
    }

    private static void runSafely(Runnable task) {
        try {
            task.run();
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.ERROR, "DuplexClient internal error", t);
        }
    }

    private static void cancel(ScheduledFuture<?> future) {
        if (future != null) {
            future.cancel(false);
        }
    }

    private static Throwable unwrap(Throwable error) {
        Throwable e = error;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    private static String describe(Throwable error) {
        String message = error.getMessage();
        return message == null ? error.getClass().getSimpleName() : error.getClass().getSimpleName() + ": " + message;
    }

    private ClientClosedException closedException() {
        return new ClientClosedException(1000, "The client was closed");
    }

    private static void validateChannel(String channel) {
        Objects.requireNonNull(channel, "channel");
        try {
            Commands.validate(new Command.Unsubscribe(null, channel));
        } catch (ProtocolException e) {
            throw new IllegalArgumentException(e.getMessage() + ": \"" + channel + "\"");
        }
    }

    private static ThreadFactory daemonThreads(String name) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            int n = count.incrementAndGet();
            Thread t = new Thread(task, n == 1 ? name : name + "-" + n);
            t.setDaemon(true);
            return t;
        };
    }

    // ---------------------------------------------------------------------------------------------
    // State holders
    // ---------------------------------------------------------------------------------------------

    private enum Kind { CONNECT, SUBSCRIBE, UNSUBSCRIBE, PUBLISH, PRESENCE, HISTORY, PING, REFRESH }

    /** A command waiting for its reply. Loop thread only. */
    private static final class Pending {
        final Kind kind;
        final Connection connection;
        final CompletableFuture<Object> future;
        final String channel;
        SubscriptionImpl subscription;
        OutgoingPublish publish;
        ScheduledFuture<?> timeout;

        @SuppressWarnings("unchecked")
        Pending(Kind kind, Connection connection, CompletableFuture<?> future, String channel) {
            this.kind = kind;
            this.connection = connection;
            this.future = (CompletableFuture<Object>) future;
            this.channel = channel;
        }
    }

    /** One publish in the outbox. {@link #sentOn} is loop-thread only. */
    private static final class OutgoingPublish {
        final String msgId;
        final String channel;
        final JsonNode data;
        final String key;
        final ClientFuture<PublishResult> future;
        Connection sentOn;
        ScheduledFuture<?> timeout;

        OutgoingPublish(String msgId, String channel, JsonNode data, String key, ClientFuture<PublishResult> future) {
            this.msgId = msgId;
            this.channel = channel;
            this.data = data;
            this.key = key;
            this.future = future;
        }
    }

    /** One connection attempt, and the connection if it opens. Loop thread only. */
    private final class Connection {
        final int attempt;
        final Map<String, SubscriptionImpl> resumed = new LinkedHashMap<>();
        String token;
        WebSocket ws;
        boolean open;
        boolean ended;
        ScheduledFuture<?> connectTimer;
        ScheduledFuture<?> heartbeatTimer;
        ScheduledFuture<?> refreshTimer;
        Long outstandingPing;
        ServerMessage.Disconnect disconnect;

        Connection(int attempt) {
            this.attempt = attempt;
        }

        void cancelTimers() {
            cancel(connectTimer);
            cancel(heartbeatTimer);
            cancel(refreshTimer);
        }
    }

    /** Receives one connection's WebSocket events on the event loop and hands them to the client's thread. */
    private final class SocketListener implements WebSocketListener {
        private final Connection c;

        SocketListener(Connection c) {
            this.c = c;
        }

        @Override
        public void onOpen(WebSocket ws) {
            if (!post(() -> socketOpened(c, ws))) {
                ws.abort();
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
            post(() -> onMessage(c, message));
        }

        @Override
        public void onClose(WebSocket ws, int code, String reason) {
            post(() -> socketClosed(c, code, reason));
        }
    }

    /** A subscription; listener-facing state is volatile, the rest is loop-thread only. */
    private final class SubscriptionImpl implements Subscription {
        final String channel;
        final SubscriptionListener listener;
        final SubscriptionTokenProvider tokenProvider;
        final StreamTracker tracker;
        final List<Publication> buffered = new ArrayList<>();
        volatile SubscriptionState state = SubscriptionState.SUBSCRIBING;
        volatile StreamPosition position;
        volatile boolean cancelled;
        Connection requestedOn;
        Connection resumeRefusedOn;
        StreamPosition askedSince;
        int failures;
        ScheduledFuture<?> retry;

        SubscriptionImpl(String channel, SubscriptionListener listener, SubscriptionOptions options) {
            this.channel = channel;
            this.listener = listener;
            this.tokenProvider = options.token();
            this.tracker = new StreamTracker(options.since());
            this.position = options.since();
        }

        @Override
        public String channel() {
            return channel;
        }

        @Override
        public SubscriptionState state() {
            return state;
        }

        @Override
        public StreamPosition position() {
            return position;
        }

        @Override
        public void unsubscribe() {
            synchronized (submitLock) {
                cancelled = true;
                state = SubscriptionState.UNSUBSCRIBED;
                if (!subscriptions.remove(channel, this)) {
                    return;
                }
                post(() -> {
                    cancel(retry);
                    retry = null;
                    buffered.clear();
                    Connection c = connection;
                    if (c != null && c.open && requestedOn == c) {
                        sendUnsubscribe(c, channel);
                    }
                    // Sent in a connect that is not answered yet: onConnected undoes it.
                });
            }
        }

        @Override
        public CompletableFuture<PublishResult> publish(Object data) {
            return DuplexClient.this.publish(channel, data);
        }

        @Override
        public String toString() {
            return "Subscription[" + channel + ", " + state + ", " + position + "]";
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Builder
    // ---------------------------------------------------------------------------------------------

    /**
     * Configures a {@link DuplexClient}. Every option has a default (see each method); only the URI is
     * required. Not thread safe.
     */
    public static final class Builder {
        private final URI uri;
        private HubCodec codec = HubCodec.JSON;
        private String token;
        private TokenProvider tokenProvider;
        private Duration refreshMargin = Duration.ofSeconds(30);
        private String name = "duplex-java";
        private String version;
        private final List<String[]> headers = new ArrayList<>();
        private Duration baseDelay = Duration.ofMillis(500);
        private Duration maxDelay = Duration.ofSeconds(20);
        private int maxAttempts;
        private int breakerFailures = 10;
        private Duration breakerOpenPeriod = Duration.ofSeconds(60);
        private Duration commandTimeout = Duration.ofSeconds(10);
        private Duration publishTimeout = Duration.ZERO;
        private int outboxCapacity = 1_000;
        private Executor callbackExecutor;
        private Clock clock = Clock.systemUTC();
        private Random random = new Random();
        private final List<StateListener> stateListeners = new ArrayList<>();
        private WebSocketClient webSocketClient;
        private WebSocketOptions webSocketOptions;

        private Builder(URI uri) {
            Objects.requireNonNull(uri, "uri");
            String scheme = uri.getScheme();
            if (scheme == null || !(scheme.equalsIgnoreCase("ws") || scheme.equalsIgnoreCase("wss")) || uri.getHost() == null) {
                throw new IllegalArgumentException("The hub's URI must be ws://host[:port]/path or wss://…, e.g. "
                        + "ws://localhost:8080/connect: " + uri);
            }
            this.uri = uri;
        }

        /** The wire format: {@link HubCodec#JSON} (default, text messages) or {@link HubCodec#MSGPACK} (binary). */
        public Builder codec(HubCodec value) {
            this.codec = Objects.requireNonNull(value, "codec");
            return this;
        }

        /**
         * A fixed connection token (JWT), sent on every connect. It cannot be refreshed: once it
         * expires the hub disconnects (3004) and the reconnect presents the same token. Prefer
         * {@link #tokenProvider}. Default: none (anonymous, where the hub allows it).
         */
        public Builder token(String value) {
            this.token = value;
            this.tokenProvider = null;
            return this;
        }

        /**
         * Where connection tokens come from: asked on every connection attempt and before the token
         * expires ({@code connected.expires} minus {@link #tokenRefreshMargin}). Replaces {@link #token}.
         */
        public Builder tokenProvider(TokenProvider value) {
            this.tokenProvider = Objects.requireNonNull(value, "tokenProvider");
            this.token = null;
            return this;
        }

        /**
         * How long before the token expires to refresh it; default 30 s, at most half the token's
         * remaining lifetime (so short-lived tokens do not refresh in a loop).
         */
        public Builder tokenRefreshMargin(Duration value) {
            this.refreshMargin = requireNotNegative(value, "tokenRefreshMargin");
            return this;
        }

        /** The client name sent in {@code connect} (shown in the hub's logs and metrics); default "duplex-java". */
        public Builder name(String value) {
            this.name = value;
            return this;
        }

        /** The application version sent in {@code connect}; default none. */
        public Builder version(String value) {
            this.version = value;
            return this;
        }

        /** An extra HTTP header for the WebSocket handshake (e.g. a cookie); repeatable. Never put tokens in URLs. */
        public Builder header(String headerName, String value) {
            headers.add(new String[] {Objects.requireNonNull(headerName, "name"), Objects.requireNonNull(value, "value")});
            return this;
        }

        /**
         * Reconnect back-off: the delay before retry {@code n} is random in
         * {@code [0, min(max, base·2^n)]} (full jitter). Defaults 500 ms and 20 s. The hub's
         * {@code retryAfter} and an open circuit breaker can make it longer.
         */
        public Builder reconnectDelay(Duration base, Duration max) {
            new Backoff(base, max, new Random()); // validates
            this.baseDelay = base;
            this.maxDelay = max;
            return this;
        }

        /**
         * The most connection attempts in a row that may fail (without reaching OPEN) before the
         * client stops ({@link ConnectionState#CLOSED}, no reconnect; publishes in the outbox fail).
         * Default 0: unlimited.
         */
        public Builder maxAttempts(int value) {
            if (value < 0) {
                throw new IllegalArgumentException("maxAttempts must not be negative (0 = unlimited): " + value);
            }
            this.maxAttempts = value;
            return this;
        }

        /**
         * After {@code failures} failed attempts in a row, stop trying for {@code openPeriod}, then make
         * one (half-open) attempt: success closes the breaker, failure opens it again. Defaults 10 and
         * 60 s; {@code failures} 0 disables the breaker.
         */
        public Builder circuitBreaker(int failures, Duration openPeriod) {
            new CircuitBreaker(failures, openPeriod, Clock.systemUTC()); // validates
            this.breakerFailures = failures;
            this.breakerOpenPeriod = openPeriod;
            return this;
        }

        /**
         * How long a command may wait for its reply: presence and history futures fail with
         * {@link TimeoutException}; a missing reply to {@code connect} or {@code subscribe} drops the
         * connection (and reconnects); token providers get as long. Default 10 s.
         */
        public Builder commandTimeout(Duration value) {
            this.commandTimeout = requirePositive(value, "commandTimeout");
            return this;
        }

        /**
         * How long a publish may wait for its ack, counted from the {@code publish} call and including
         * time offline, before its future fails with {@link TimeoutException} and it leaves the outbox.
         * Default {@link Duration#ZERO}: no limit (a publish waits until acknowledged, refused, or the
         * client stops).
         */
        public Builder publishTimeout(Duration value) {
            this.publishTimeout = requireNotNegative(value, "publishTimeout");
            return this;
        }

        /** The most publishes waiting for their ack; one more fails at once with {@link OutboxFullException}. Default 1,000. */
        public Builder outboxCapacity(int value) {
            if (value <= 0) {
                throw new IllegalArgumentException("outboxCapacity must be positive: " + value);
            }
            this.outboxCapacity = value;
            return this;
        }

        /**
         * Where listener calls and future completions run, one at a time and in order even on a pool.
         * Default: one daemon thread per client.
         */
        public Builder callbackExecutor(Executor value) {
            this.callbackExecutor = Objects.requireNonNull(value, "callbackExecutor");
            return this;
        }

        /** The time source of the circuit breaker and token expiry; default {@link Clock#systemUTC()}. */
        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /** The randomness of the back-off jitter (a seeded one makes delays reproducible); default a new {@link Random}. */
        public Builder random(Random value) {
            this.random = Objects.requireNonNull(value, "random");
            return this;
        }

        /** Adds a listener of state changes, registered before the client can change state; repeatable. */
        public Builder stateListener(StateListener value) {
            stateListeners.add(Objects.requireNonNull(value, "stateListener"));
            return this;
        }

        /**
         * Connects through this WebSocket client (e.g. to share event loops among many hub clients, or
         * for TLS settings); the hub client does not close it. Default: a client of its own with one
         * event loop.
         */
        public Builder webSocketClient(WebSocketClient value) {
            this.webSocketClient = Objects.requireNonNull(value, "webSocketClient");
            return this;
        }

        /**
         * Options of the client's own WebSocket client (ignored with {@link #webSocketClient}). Default:
         * {@link WebSocketOptions#defaults()} with 16 MiB messages and the command timeout as handshake
         * timeout.
         */
        public Builder webSocketOptions(WebSocketOptions value) {
            this.webSocketOptions = Objects.requireNonNull(value, "webSocketOptions");
            return this;
        }

        /** Builds the client; it does not connect until {@link DuplexClient#connect()}. */
        public DuplexClient build() {
            return new DuplexClient(this);
        }

        private static Duration requirePositive(Duration value, String what) {
            Objects.requireNonNull(value, what);
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(what + " must be positive: " + value);
            }
            return value;
        }

        private static Duration requireNotNegative(Duration value, String what) {
            Objects.requireNonNull(value, what);
            if (value.isNegative()) {
                throw new IllegalArgumentException(what + " must not be negative: " + value);
            }
            return value;
        }
    }
}

package dev.duplex.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.duplex.hub.protocol.ClientInfo;
import dev.duplex.hub.protocol.Command;
import dev.duplex.hub.protocol.Commands;
import dev.duplex.hub.protocol.ErrorCode;
import dev.duplex.hub.protocol.HubCodec;
import dev.duplex.hub.protocol.ProtocolException;
import dev.duplex.hub.protocol.Publication;
import dev.duplex.hub.protocol.StreamPosition;
import dev.duplex.websocket.WebSocketClient;
import dev.duplex.websocket.WebSocketOptions;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

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
 *       {@link SubscriptionListener#onUnrecoverable} that it must reload its state. A recovery too
 *       large for one reply arrives in pages; it is delivered the same way.</li>
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
 * <p>Threads: every method is thread safe, and none blocks but {@link #close()}. One thread owns
 * the client's state, its loop: a method checks its arguments, hands a task to the loop and returns
 * (a future, when there is an answer to wait for); WebSocket events, token providers' answers and
 * timers reach the state the same way, so no lock guards it. What must be answered at once on the
 * caller's thread comes from views the loop publishes ({@link #state()}, {@link #clientId()}) or
 * from lock-free claims ({@code subscribe} refusing a channel already taken, {@code publish} refusing
 * when the outbox is full). The loop is a thread of the client's own, not the connection's event
 * loop, because the state outlives connections (subscriptions, the outbox and the back-off timer
 * exist before the first connection and between two), and because one {@link WebSocketClient}'s
 * event loops may serve many hub clients ({@link Builder#webSocketClient}). Unless
 * {@link Builder#callbackExecutor} says otherwise, one daemon thread runs the callbacks: every
 * listener call and every future completion of a client runs there, one at a time, in order, never
 * on a network thread. Do not block on a client's future inside its callbacks (that throws
 * {@link IllegalStateException}); chain with {@code thenAccept} instead.
 */
public final class DuplexClient implements AutoCloseable {
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final URI uri;
    private final HubCodec codec;
    private final long commandTimeoutMillis;
    private final WebSocketClient webSockets;
    private final boolean ownsWebSockets;
    private final ClientLoop loop;
    private final CallbackExecutor callbacks;
    private final TokenFetcher tokens;
    private final StateEvents states;
    private final Subscriptions subscriptions;
    private final Outbox outbox;
    private final Queries queries;
    private final Connector connector;
    private final AtomicBoolean closing = new AtomicBoolean();

    private DuplexClient(Builder b) {
        this.uri = b.uri;
        this.codec = b.codec;
        this.commandTimeoutMillis = b.commandTimeout.toMillis();
        String threadName = "duplex-client-" + INSTANCES.incrementAndGet();
        this.loop = new ClientLoop(threadName);
        this.callbacks = CallbackExecutor.create(b.callbackExecutor, threadName + "-callbacks", this);
        if (b.webSocketClient != null) {
            this.webSockets = b.webSocketClient;
            this.ownsWebSockets = false;
        } else {
            WebSocketOptions options = b.webSocketOptions != null ? b.webSocketOptions
                    : WebSocketOptions.defaults().withMaxMessageBytes(16L << 20).withHandshakeTimeout(b.commandTimeout);
            this.webSockets = WebSocketClient.builder().options(options).build();
            this.ownsWebSockets = true;
        }
        java.util.Map<String, String> headers = new java.util.LinkedHashMap<>();
        for (String[] header : b.headers) {
            headers.put(header[0], header[1]);
        }
        // One back-off for reconnects and subscription retries: a seeded Random makes them all reproducible.
        Backoff backoff = new Backoff(b.baseDelay, b.maxDelay, b.random);
        this.tokens = new TokenFetcher(loop, threadName + "-tokens", commandTimeoutMillis);
        this.states = new StateEvents(callbacks, threadName, b.stateListeners);
        this.subscriptions = new Subscriptions(this, loop, callbacks, tokens, backoff, commandTimeoutMillis);
        this.outbox = new Outbox(loop, callbacks, b.outboxCapacity, b.publishTimeout.toMillis());
        this.queries = new Queries(callbacks, commandTimeoutMillis);
        this.connector = new Connector(
                new Connector.Settings(b.uri, List.of(b.codec.subprotocol()), java.util.Collections.unmodifiableMap(headers), b.codec, b.token, b.tokenProvider, b.name, b.version, commandTimeoutMillis),
                loop, webSockets, tokens, callbacks, states,
                new RetryPolicy(backoff, new CircuitBreaker(b.breakerFailures, b.breakerOpenPeriod, b.clock), b.maxAttempts),
                new KeepAlive(loop, tokens, b.tokenProvider, b.refreshMargin.toMillis(), b.clock),
                subscriptions, outbox);
    }

    /** Starts configuring a client of the hub at {@code uri}, e.g. {@code ws://localhost:8080/connect}. */
    public static Builder builder(URI uri) {
        return new Builder(uri);
    }

    /** Starts configuring a client of the hub at {@code uri}, e.g. {@code "ws://localhost:8080/connect"}. */
    public static Builder builder(String uri) {
        return new Builder(URI.create(uri));
    }

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
        if (!loop.execute(() -> connector.start(future))) {
            future.completeExceptionally(Errors.clientClosed());
        }
        return future;
    }

    /** The current connection state. */
    public ConnectionState state() {
        return states.current();
    }

    /** The hub's id of the current connection ({@code connected.client}), or null when not connected. */
    public String clientId() {
        return connector.clientId();
    }

    /** Adds a listener for every later state change. */
    public void addStateListener(StateListener listener) {
        Objects.requireNonNull(listener, "listener");
        loop.execute(() -> states.add(listener)); // after close there are no more changes to hear of
    }

    /**
     * Removes a listener added with {@link #addStateListener} or {@link Builder#stateListener}: it
     * hears no change that happens after this call (changes before it may still be on their way).
     */
    public void removeStateListener(StateListener listener) {
        loop.execute(() -> states.remove(listener));
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
        return subscriptions.subscribe(channel, listener, options);
    }

    /** The live subscription to {@code channel}, if any. */
    public Optional<Subscription> subscription(String channel) {
        return subscriptions.find(channel);
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
        outbox.publish(channel, node, key, future);
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
        if (!loop.execute(() -> queries.presence(connector.openConnection(), states.current(), channel, future))) {
            future.completeExceptionally(Errors.clientClosed());
        }
        return future;
    }

    /** The whole history window of {@code channel}; see {@link #history(String, StreamPosition, Integer)}. */
    public CompletableFuture<HistoryResult> history(String channel) {
        return history(channel, null, null);
    }

    /**
     * Reads {@code channel}'s history. The hub answers in pages bounded in bytes; the client asks for
     * the next page until it has every publication asked for, so the result is never cut short (each
     * page is a request of its own, with its own command timeout).
     *
     * @param since only the publications after this position; null for the whole window
     * @param limit at most this many publications; null for no limit
     * @return a future failed like {@link #presence}'s; a {@code since} no longer in history fails
     *     with {@link HubErrorException} code {@link ErrorCode#UNRECOVERABLE_POSITION} (also when the
     *     history moved past the next page's start while it was being read)
     */
    public CompletableFuture<HistoryResult> history(String channel, StreamPosition since, Integer limit) {
        validateChannel(channel);
        if (limit != null && limit < 0) {
            throw new IllegalArgumentException("limit must not be negative: " + limit);
        }
        ClientFuture<HistoryResult> future = new ClientFuture<>(this);
        if (!loop.execute(() -> queries.history(connector.openConnection(), states.current(), channel, since, limit,
                future))) {
            future.completeExceptionally(Errors.clientClosed());
        }
        return future;
    }

    /**
     * Drops the connection at once, without a close handshake and without stopping the client: it
     * reconnects (with back-off) and resumes subscriptions and the outbox exactly as after a network
     * failure. Useful for a "reconnect" button, after the device changed networks, and in tests.
     */
    public void disconnectNow() {
        loop.execute(() -> connector.drop("dropped by the application (disconnectNow)"));
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
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        loop.stopAfter(connector::close, commandTimeoutMillis + 1_000);
        if (ownsWebSockets) {
            webSockets.close(); // waits for the close handshake connector.close() started
        }
        tokens.shutdown();
        // The final state events (CLOSING, CLOSED) reach the listener before close returns: an
        // application that reads its own record of them right after close sees them.
        callbacks.shutdown(commandTimeoutMillis);
    }

    @Override
    public String toString() {
        String id = clientId();
        return "DuplexClient[" + uri + ", " + state() + (id == null ? "" : ", " + id) + "]";
    }

    private static void validateChannel(String channel) {
        Objects.requireNonNull(channel, "channel");
        try {
            Commands.validate(new Command.Unsubscribe(null, channel));
        } catch (ProtocolException e) {
            throw new IllegalArgumentException(e.getMessage() + ": \"" + channel + "\"");
        }
    }

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

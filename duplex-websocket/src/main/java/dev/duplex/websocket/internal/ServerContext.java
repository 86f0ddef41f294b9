package dev.duplex.websocket.internal;

import dev.duplex.protocol.CloseCodes;
import dev.duplex.protocol.MemoryBudget;
import dev.duplex.protocol.Role;
import dev.duplex.protocol.extension.ExtensionOffer;
import dev.duplex.protocol.extension.deflate.DeflateAgreement;
import dev.duplex.protocol.extension.deflate.DeflateNegotiation;
import dev.duplex.protocol.extension.deflate.DeflateOptions;
import dev.duplex.protocol.handshake.HandshakeRejection;
import dev.duplex.protocol.handshake.HttpHeaders;
import dev.duplex.protocol.handshake.ServerHandshake;
import dev.duplex.transport.ConnectionHandler;
import dev.duplex.transport.EventLoop;
import dev.duplex.websocket.HttpCall;
import dev.duplex.websocket.HttpReply;
import dev.duplex.websocket.WebSocketOptions;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/** What every connection of one server shares: routes, options, policies, and the set of live sessions. Thread safe. */
public final class ServerContext implements SessionHost {
    private final Map<String, Route> routes;
    private final Config config;
    private final WebSocketOptions options;
    private final Executor listenerExecutor;
    private final boolean loopbackOnly;
    private final SessionRegistry sessions = new SessionRegistry();
    private final Map<EventLoop, LoopBuffers> loopBuffers = new ConcurrentHashMap<>();
    private final LongAdder rejections = new LongAdder();
    /**
     * Compression context kept between messages (context takeover: ~300 KiB of zlib state per
     * connection at 15-bit windows); without a bound a reconnect storm could exhaust native memory
     * (compare cometd#1001).
     */
    private final MemoryBudget compressionBudget;
    private final MemoryBudget messageMemory;
    private final AtomicInteger pendingHandshakes = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, Integer> perAddress = new ConcurrentHashMap<>();
    private final Function<HttpCall, HttpReply> httpHandler;
    /** Sessions whose plain HTTP request is with the handler: a graceful shutdown lets them answer. */
    private final Set<Session> httpInFlight = ConcurrentHashMap.newKeySet();
    /** Runs the HTTP handler when the application gave no executor; created on the first request. */
    private ExecutorService httpPool;
    private boolean httpPoolShutDown;

    /** Threads of the pool that runs the HTTP handler when the application gave no executor. */
    static final int HTTP_POOL_THREADS = Math.max(2, Math.min(16, Runtime.getRuntime().availableProcessors()));

    /**
     * With {@code httpHandler} (or null) answering requests that are not WebSocket upgrades;
     * {@code loopbackOnly} when the server listens on a loopback address (see {@link Origins}).
     */
    public ServerContext(List<Route> routes, Config config, Executor listenerExecutor,
            Function<HttpCall, HttpReply> httpHandler, boolean loopbackOnly) {
        this.config = config;
        this.options = config.options;
        this.loopbackOnly = loopbackOnly;
        this.httpHandler = httpHandler;
        this.messageMemory = new MemoryBudget(options.messageMemoryBytes());
        this.compressionBudget = new MemoryBudget(options.compressionBudgetBytes());
        Map<String, Route> byPath = new ConcurrentHashMap<>();
        for (Route route : routes) {
            byPath.put(route.path(), route);
        }
        this.routes = Map.copyOf(byPath);
        this.listenerExecutor = listenerExecutor;
    }

    /** A fresh session for an accepted TCP connection: what the transport drives. */
    public ConnectionHandler newSession() {
        Session session = new Session(Role.SERVER, config, listenerExecutor, this, new ServerHandshakeStage(this));
        sessions.add(session);
        return session.transportHandler();
    }

    @Override
    public LoopBuffers buffers(EventLoop loop) {
        return loopBuffers.computeIfAbsent(loop, l -> new LoopBuffers());
    }

    /** The budget every connection's incomplete inbound messages share. */
    MemoryBudget messageMemory() {
        return messageMemory;
    }

    /** Bytes incomplete inbound messages hold now, over all connections. */
    public long messageMemoryBytes() {
        return messageMemory.used();
    }

    /** Memory reserved for compression context by open connections. */
    public long compressionContextBytes() {
        return compressionBudget.used();
    }

    @Override
    public void onSessionClosed(Session session) {
        compressionBudget.release(session.compressionReservation());
        InetAddress address = addressOf(session);
        if (address != null) {
            perAddress.computeIfPresent(address, (a, n) -> n == 1 ? null : n - 1);
        }
        httpInFlight.remove(session);
        sessions.remove(session);
    }

    /**
     * Counts a new connection and checks it against the limits: null to admit it, or the answer
     * to refuse it with. Every admitted or refused connection is later released by
     * {@link #handshakeFinished} and {@link #onSessionClosed}.
     */
    HandshakeRejection admit(Session session) {
        int pending = pendingHandshakes.incrementAndGet();
        InetAddress address = addressOf(session);
        int fromAddress = address == null ? 1 : perAddress.merge(address, 1, Integer::sum);
        List<HttpHeaders.Field> retryAfter = List.of(new HttpHeaders.Field("Retry-After", "5"));
        if (sessions.size() > options.maxConnections()) {
            return new HandshakeRejection(503, "The server is at its limit of " + options.maxConnections()
                    + " connections; retry later", retryAfter);
        }
        if (pending > options.maxPendingHandshakes()) {
            return new HandshakeRejection(503, "Too many handshakes in progress; retry later", retryAfter);
        }
        if (fromAddress > options.maxConnectionsPerAddress()) {
            return new HandshakeRejection(429, "Too many connections from your address (limit "
                    + options.maxConnectionsPerAddress() + ")", retryAfter);
        }
        return null;
    }

    /** The connection's opening handshake ended, whichever way. */
    void handshakeFinished() {
        pendingHandshakes.decrementAndGet();
    }

    private static InetAddress addressOf(Session session) {
        SocketAddress remote = session.remoteAddress();
        return remote instanceof InetSocketAddress inet ? inet.getAddress() : null;
    }

    Route route(String path) {
        return routes.get(path);
    }

    Config config() {
        return config;
    }

    void countRejection() {
        rejections.increment();
    }

    /** Handshakes refused with an HTTP error status since the server started. */
    public long rejectedHandshakes() {
        return rejections.sum();
    }

    /** Sessions whose TCP connection is open, in any ready state. */
    public int sessionCount() {
        return sessions.size();
    }

    /**
     * Sends 1001 to every open session (a graceful shutdown's first step). Decided on each session's
     * loop, where its state changes: looked at from here, a session whose 101 is already on its way
     * to the client could still read as connecting, and be dropped instead of told.
     */
    public void goingAway(String reason) {
        sessions.forEach(session -> session.runOnLoop(() -> {
            SessionState state = session.state();
            if (state == SessionState.OPEN) {
                session.close(CloseCodes.GOING_AWAY, reason);
            } else if ((state == SessionState.HANDSHAKE || state == SessionState.REFUSED) && !httpInFlight.contains(session)) {
                session.abort(); // a plain HTTP request with the handler may still answer, within the close timeout
            }
        }));
    }

    /** The handler for plain HTTP requests, or null (then they get the WebSocket handshake's answers). */
    Function<HttpCall, HttpReply> httpHandler() {
        return httpHandler;
    }

    int maxHttpBodyBytes() {
        return options.maxHttpBodyBytes();
    }

    /** The session's HTTP request went to the handler; {@link #httpAnswered} or {@link #onSessionClosed} ends that. */
    void httpStarted(Session session) {
        httpInFlight.add(session);
    }

    void httpAnswered(Session session) {
        httpInFlight.remove(session);
    }

    /**
     * Where the HTTP handler runs: the application's executor, or else a pool of up to
     * {@link #HTTP_POOL_THREADS} daemon threads (idle ones end after 30 s). Its queue is bounded in
     * practice by the pending-handshake limit: a request holds its slot until it is answered.
     *
     * @throws RejectedExecutionException once {@link #shutDownHttp} has run
     */
    Executor httpExecutor() {
        if (listenerExecutor != null) {
            return listenerExecutor;
        }
        synchronized (this) {
            if (httpPoolShutDown) {
                throw new RejectedExecutionException("The server is stopped");
            }
            if (httpPool == null) {
                AtomicInteger threads = new AtomicInteger();
                ThreadPoolExecutor pool = new ThreadPoolExecutor(HTTP_POOL_THREADS, HTTP_POOL_THREADS, 30, TimeUnit.SECONDS,
                        new LinkedBlockingQueue<>(), task -> {
                            Thread thread = new Thread(task, "duplex-http-" + threads.incrementAndGet());
                            thread.setDaemon(true);
                            return thread;
                        });
                pool.allowCoreThreadTimeOut(true);
                httpPool = pool;
            }
            return httpPool;
        }
    }

    /** Stops the server's own HTTP pool, interrupting handlers still running (their connections are gone). */
    public void shutDownHttp() {
        ExecutorService pool;
        synchronized (this) {
            httpPoolShutDown = true;
            pool = httpPool;
        }
        if (pool != null) {
            pool.shutdownNow();
        }
    }

    /** Waits for every session to close; returns whether they all did in time. */
    public boolean awaitAllClosed(long timeoutNanos) throws InterruptedException {
        return sessions.awaitEmpty(timeoutNanos);
    }

    /** The decisions for one handshake on {@code route}; it remembers the compression it agreed to. */
    NegotiatingPolicy policyFor(Route route) {
        return new NegotiatingPolicy(route);
    }

    final class NegotiatingPolicy implements ServerHandshake.Policy {
        private final Route route;
        DeflateAgreement compression;
        long reservedBytes;

        private NegotiatingPolicy(Route route) {
            this.route = route;
        }

        @Override
        public boolean isOriginAllowed(String origin, String host) {
            return config.origins.allows(origin, host, loopbackOnly);
        }

        @Override
        public String selectSubprotocol(List<String> offered) {
            for (String supported : route.subprotocols()) {
                if (offered.contains(supported)) {
                    return supported;
                }
            }
            return null;
        }

        @Override
        public List<ExtensionOffer> negotiateExtensions(List<ExtensionOffer> offered) {
            DeflateOptions wanted = config.compression;
            if (wanted == null) {
                return List.of();
            }
            DeflateNegotiation.Accepted accepted = DeflateNegotiation.accept(offered, wanted);
            if (accepted != null && accepted.agreement().contextMemoryBytes() > 0) {
                long cost = accepted.agreement().contextMemoryBytes();
                if (compressionBudget.tryReserve(cost)) {
                    reservedBytes = cost;
                } else {
                    // Over budget: compress without context takeover, with state pooled per loop.
                    accepted = DeflateNegotiation.accept(offered,
                            wanted.withLocalContextTakeover(false).withPeerContextTakeover(false));
                }
            }
            if (accepted == null) {
                return List.of();
            }
            compression = accepted.agreement();
            return List.of(accepted.response());
        }
    }
}

package dev.duplex.websocket;

import dev.duplex.transport.EventLoopGroup;
import dev.duplex.transport.TcpServer;
import dev.duplex.transport.TlsConfig;
import dev.duplex.transport.TransportOptions;
import dev.duplex.websocket.internal.Route;
import dev.duplex.websocket.internal.ServerContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLContext;

/**
 * A WebSocket server: routes (path → listener) on NIO event loops.
 *
 * <pre>{@code
 * WebSocketServer server = WebSocketServer.builder()
 *     .route("/echo", new WebSocketListener() {
 *         @Override public void onText(WebSocket ws, String text) { ws.sendText(text); }
 *     })
 *     .start(8080);
 * }</pre>
 *
 * With {@link Builder#tls(SSLContext)} it serves {@code wss://} on the same routes; with
 * {@link Builder#http(HttpHandler)} it also answers plain HTTP requests on the same port.
 *
 * <p>Thread safe. {@link #close()} shuts down gracefully: 1001 to every client, then waits for their
 * Close up to the close timeout.
 */
public final class WebSocketServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.duplex.websocket");

    private final EventLoopGroup loops;
    private final TcpServer tcpServer;
    private final ServerContext context;
    private final WebSocketOptions options;
    private final boolean tls;

    private WebSocketServer(EventLoopGroup loops, TcpServer tcpServer, ServerContext context, WebSocketOptions options,
            boolean tls) {
        this.loops = loops;
        this.tcpServer = tcpServer;
        this.context = context;
        this.options = options;
        this.tls = tls;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The bound address; its port is the real one when started on port 0. */
    public InetSocketAddress address() {
        return tcpServer.localAddress();
    }

    public int port() {
        return address().getPort();
    }

    /** Whether this server speaks TLS (wss://). */
    public boolean isTls() {
        return tls;
    }

    /** {@code "wss"} with TLS, else {@code "ws"}. */
    public String scheme() {
        return tls ? "wss" : "ws";
    }

    /** Open connections, including those still in the opening handshake (with TLS: once TLS is up). */
    /** Bytes that incomplete inbound messages hold now, over all connections; see {@link Builder#messageMemoryBytes}. */
    public long messageMemoryBytes() {
        return context.messageMemoryBytes();
    }

    /** Memory reserved for compression context (context takeover) by open connections; see {@link Builder#compressionBudgetBytes}. */
    public long compressionContextBytes() {
        return context.compressionContextBytes();
    }

    public int connectionCount() {
        return context.sessionCount();
    }

    /**
     * Handshakes answered with an HTTP error status so far, including plain HTTP requests the
     * server refused itself (malformed body framing, too large, too slow); not the error statuses
     * an {@link HttpHandler} returns.
     */
    public long rejectedHandshakes() {
        return context.rejectedHandshakes();
    }

    /** Graceful shutdown within the close timeout. */
    @Override
    public void close() {
        close(options.closeTimeout());
    }

    /**
     * Stops accepting, sends 1001 (going away) to every client, waits up to {@code timeout} for the
     * close handshakes to finish, then drops whatever is left and stops the event loops.
     */
    public void close(Duration timeout) {
        tcpServer.stopAccepting();
        context.goingAway("Server shutting down");
        try {
            context.awaitAllClosed(timeout.toNanos());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        int left = context.sessionCount();
        tcpServer.close();
        loops.close();
        context.shutDownHttp();
        LOG.log(System.Logger.Level.INFO, "WebSocket server on port {0} stopped{1}", String.valueOf(port()),
                left == 0 ? "" : " (" + left + " connections dropped after the close timeout)");
    }

    /** Configures and starts a {@link WebSocketServer}. Not thread safe. */
    public static final class Builder {
        private final List<Route> routes = new ArrayList<>();
        private WebSocketOptions options = WebSocketOptions.defaults();
        private TransportOptions transport = TransportOptions.defaults();
        private int eventLoops;
        private Executor executor;
        private OriginPolicy originPolicy = OriginPolicy.sameOrigin();
        private ConnectionLimits connectionLimits = ConnectionLimits.defaults();
        private long compressionBudgetBytes = ServerContext.DEFAULT_COMPRESSION_BUDGET_BYTES;
        private long messageMemoryBytes = ServerContext.DEFAULT_MESSAGE_MEMORY_BYTES;
        private TlsConfig tls;
        private HttpHandler httpHandler;
        private int maxHttpBodyBytes = ServerContext.DEFAULT_MAX_HTTP_BODY_BYTES;

        private Builder() {
        }

        /**
         * Serves wss:// (TLS 1.3 and 1.2) with the certificate of {@code context}'s key manager.
         * Clients that do not finish the TLS handshake within
         * {@link TransportOptions#tlsHandshakeTimeout()} are dropped before any route sees them.
         */
        public Builder tls(SSLContext context) {
            return tls(TlsConfig.server(context));
        }

        /** Serves wss:// as configured, e.g. {@code TlsConfig.server(context).withProtocols("TLSv1.3")}. */
        public Builder tls(TlsConfig config) {
            if (config.isClient()) {
                throw new IllegalArgumentException("A server needs TlsConfig.server(...), not a client configuration");
            }
            this.tls = config;
            return this;
        }

        /** Serves WebSocket connections to {@code path} (exact match, without query) with {@code listener}. */
        public Builder route(String path, WebSocketListener listener) {
            return route(path, List.of(), listener);
        }

        /** Same, agreeing to the first of {@code subprotocols} (in our order of preference) that the client offers. */
        public Builder route(String path, List<String> subprotocols, WebSocketListener listener) {
            if (path == null || !path.startsWith("/")) {
                throw new IllegalArgumentException("A route path starts with '/': " + path);
            }
            routes.add(new Route(path, Objects.requireNonNull(listener, "listener"), subprotocols));
            return this;
        }

        /**
         * Answers every request that is not a WebSocket upgrade (no {@code Upgrade: websocket}) with
         * {@code handler}, on any path: an HTTP API, health checks, metrics, static files. Upgrades
         * still go to the routes (404 for a path without one). Without a handler, such requests get
         * 426 on a route's path and 404 elsewhere.
         *
         * <p>One request per connection: the reply carries {@code Connection: close}. Request bodies
         * need {@code Content-Length} (411 for chunked ones) and at most {@link #maxHttpBodyBytes}
         * (413 beyond); the request, body included, must arrive within
         * {@link WebSocketOptions#handshakeTimeout()} (408). The handler runs on {@link #executor}
         * if set, else on a pool of a few daemon threads the server stops in {@link WebSocketServer#close()}; while
         * it runs the connection counts as a pending handshake ({@link ConnectionLimits}).
         */
        public Builder http(HttpHandler handler) {
            this.httpHandler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /** The largest plain HTTP request body accepted (see {@link #http}); default 1 MiB. */
        public Builder maxHttpBodyBytes(int bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("maxHttpBodyBytes must be >= 0: " + bytes);
            }
            this.maxHttpBodyBytes = bytes;
            return this;
        }

        public Builder options(WebSocketOptions value) {
            this.options = Objects.requireNonNull(value);
            return this;
        }

        /** Socket-level options: backlog, connection limit, buffer sizes. */
        public Builder transport(TransportOptions value) {
            this.transport = Objects.requireNonNull(value);
            return this;
        }

        /** Number of event loops; default one per core. */
        public Builder eventLoops(int count) {
            this.eventLoops = count;
            return this;
        }

        /**
         * Runs listeners on {@code executor} instead of the event loop, one event at a time per
         * connection, in order. Use it when listeners block; on Java 21+,
         * {@code Executors.newVirtualThreadPerTaskExecutor()} is a good choice.
         */
        public Builder executor(Executor value) {
            this.executor = value;
            return this;
        }

        /**
         * How many connections to admit in all, per remote address and mid-handshake; above them
         * clients get 503 or 429 with {@code Retry-After}. Default {@link ConnectionLimits#defaults()}.
         */
        public Builder connectionLimits(ConnectionLimits value) {
            this.connectionLimits = Objects.requireNonNull(value);
            return this;
        }

        /**
         * Memory all connections together may keep for compression context between messages
         * (context takeover: about 300 KiB each at 15-bit windows); default 64 MiB. Connections
         * negotiated once it is spent compress without context takeover, with pooled state.
         */
        public Builder compressionBudgetBytes(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("compressionBudgetBytes must be >= 0: " + bytes);
            }
            this.compressionBudgetBytes = bytes;
            return this;
        }

        /**
         * Memory that incomplete inbound messages of all connections together may hold; default
         * 256 MiB. A connection whose message would pass it is closed with 1013 (try again later),
         * so many peers each sending a large message slowly cannot exhaust the heap.
         */
        public Builder messageMemoryBytes(long bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("messageMemoryBytes must be positive: " + bytes);
            }
            this.messageMemoryBytes = bytes;
            return this;
        }

        /**
         * Which browser pages may connect; others get 403. Default: {@link OriginPolicy#sameOrigin()},
         * pages this server served. Clients that send no {@code Origin} (non-browsers) always may.
         * {@link OriginPolicy#allow} adds origins, compared exactly, with {@code *.domain} patterns.
         */
        public Builder originPolicy(OriginPolicy value) {
            this.originPolicy = Objects.requireNonNull(value);
            return this;
        }

        /**
         * Starts listening on the loopback interface at {@code port} (0: any free port): safe by
         * default. To listen on every interface, start on {@code new InetSocketAddress(port)}.
         */
        public WebSocketServer start(int port) {
            return startOnLoopback(port);
        }

        /** Starts listening on the loopback interface only. */
        public WebSocketServer startOnLoopback(int port) {
            return start(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        }

        public WebSocketServer start(InetSocketAddress address) {
            if (routes.isEmpty() && httpHandler == null) {
                throw new IllegalStateException("A server needs at least one route or an HTTP handler");
            }
            boolean loopbackOnly = address.getAddress() != null && address.getAddress().isLoopbackAddress();
            ServerContext context = new ServerContext(routes, options, executor, originPolicy, connectionLimits,
                    compressionBudgetBytes, messageMemoryBytes, httpHandler, maxHttpBodyBytes, loopbackOnly);
            EventLoopGroup loops = new EventLoopGroup(eventLoops);
            try {
                TcpServer tcp = TcpServer.bind(loops, address, transport, tls, context::newSession);
                LOG.log(System.Logger.Level.INFO, "WebSocket server listening on {0} ({1}, {2} event loops)",
                        tcp.localAddress(), tls == null ? "ws" : "wss", String.valueOf(loops.loops().size()));
                return new WebSocketServer(loops, tcp, context, options, tls != null);
            } catch (IOException e) {
                loops.close();
                throw new UncheckedIOException("Cannot listen on " + address + ": " + e.getMessage(), e);
            }
        }
    }
}

package dev.duplex.websocket;

import dev.duplex.transport.EventLoopGroup;
import dev.duplex.transport.TcpServer;
import dev.duplex.transport.TlsConfig;
import dev.duplex.websocket.internal.Config;
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
import java.util.function.Function;
import javax.net.ssl.SSLContext;

/**
 * A WebSocket server: routes (path → listener) on NIO event loops. It is configured, then
 * started, as one object:
 *
 * <pre>{@code
 * WebSocketServer server = WebSocketServer.builder()
 *     .route("/echo", new WebSocketListener() {
 *         @Override public void onText(WebSocket ws, String text) { ws.sendText(text); }
 *     })
 *     .start(8080);
 * }</pre>
 *
 * With {@link #tls(SSLContext)} it serves {@code wss://} on the same routes; with
 * {@link #http(Function)} it also answers plain HTTP requests on the same port. Every limit and
 * timeout is a {@link WebSocketOptions} setting.
 *
 * <p>Configuring is not thread safe and ends with {@code start}; a started server is thread safe.
 * {@link #close()} shuts down gracefully: 1001 to every client, then waits for their Close up to
 * the close timeout.
 */
public final class WebSocketServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.duplex.websocket");

    private final List<Route> routes = new ArrayList<>();
    private WebSocketOptions options = WebSocketOptions.defaults();
    private int eventLoops;
    private Executor executor;
    /** The server's certificate and key for wss://, or null. */
    private SSLContext tls;
    private Function<HttpCall, HttpReply> httpHandler;

    /** Set by start: what runs. */
    private volatile Running running;

    private record Running(EventLoopGroup loops, TcpServer tcp, ServerContext context) {
    }

    private WebSocketServer() {
    }

    /** A server to configure, then {@link #start}. */
    public static WebSocketServer builder() {
        return new WebSocketServer();
    }

    // ------------------------------------------------------------ configuring

    /**
     * Serves wss:// with the certificate of {@code context}'s key manager, speaking the versions of
     * {@link WebSocketOptions#tlsProtocols()} (TLS 1.3 and 1.2).
     * Clients that do not finish the TLS handshake within
     * {@link WebSocketOptions#tlsHandshakeTimeout()} are dropped before any route sees them.
     */
    public WebSocketServer tls(SSLContext context) {
        requireConfiguring();
        this.tls = Objects.requireNonNull(context, "context");
        return this;
    }

    /** Serves WebSocket connections to {@code path} (exact match, without query) with {@code listener}. */
    public WebSocketServer route(String path, WebSocketListener listener) {
        return route(path, List.of(), listener);
    }

    /** Same, agreeing to the first of {@code subprotocols} (in our order of preference) that the client offers. */
    public WebSocketServer route(String path, List<String> subprotocols, WebSocketListener listener) {
        requireConfiguring();
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
     * <pre>{@code
     * server.http(call -> switch (call.path()) {
     *     case "/health" -> HttpReply.text(200, "ok\n");
     *     default -> HttpReply.text(404, "Not found\n");
     * });
     * }</pre>
     *
     * <p>The handler runs off the event loop, on {@link #executor} if set, else on a pool of a few
     * daemon threads the server stops in {@link #close()}, so it may block; an exception or a null
     * reply is answered with 500 (and logged with the request's path, never its query). One
     * request per connection: the reply carries {@code Content-Length} and {@code Connection: close},
     * and for {@code HEAD} no body. Request bodies need {@code Content-Length} (411 for chunked ones)
     * and at most {@link WebSocketOptions#maxHttpBodyBytes()} (413 beyond); the request, body
     * included, must arrive within {@link WebSocketOptions#handshakeTimeout()} (408). While the
     * handler runs, the connection counts as a pending handshake.
     */
    public WebSocketServer http(Function<HttpCall, HttpReply> handler) {
        requireConfiguring();
        this.httpHandler = Objects.requireNonNull(handler, "handler");
        return this;
    }

    /** Every limit, timeout and policy; default {@link WebSocketOptions#defaults()}. */
    public WebSocketServer options(WebSocketOptions value) {
        requireConfiguring();
        this.options = Objects.requireNonNull(value);
        return this;
    }

    /** Number of event loops; default one per core. */
    public WebSocketServer eventLoops(int count) {
        requireConfiguring();
        this.eventLoops = count;
        return this;
    }

    /**
     * Runs listeners on {@code executor} instead of the event loop, one event at a time per
     * connection, in order. Use it when listeners block; on Java 21+,
     * {@code Executors.newVirtualThreadPerTaskExecutor()} is a good choice.
     */
    public WebSocketServer executor(Executor value) {
        requireConfiguring();
        this.executor = value;
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
        requireConfiguring();
        if (routes.isEmpty() && httpHandler == null) {
            throw new IllegalStateException("A server needs at least one route or an HTTP handler");
        }
        boolean loopbackOnly = address.getAddress() != null && address.getAddress().isLoopbackAddress();
        Config config = new Config(options);
        ServerContext context = new ServerContext(routes, config, executor, httpHandler, loopbackOnly);
        EventLoopGroup loops = new EventLoopGroup(eventLoops);
        try {
            TlsConfig tlsConfig = tls == null ? null
                    : TlsConfig.server(tls).withProtocols(options.tlsProtocols().toArray(String[]::new));
            TcpServer tcp = TcpServer.bind(loops, address, config.transport(), tlsConfig, context::newSession);
            LOG.log(System.Logger.Level.INFO, "WebSocket server listening on {0} ({1}, {2} event loops)",
                    tcp.localAddress(), tls == null ? "ws" : "wss", String.valueOf(loops.loops().size()));
            running = new Running(loops, tcp, context);
            return this;
        } catch (IOException e) {
            loops.close();
            throw new UncheckedIOException("Cannot listen on " + address + ": " + e.getMessage(), e);
        }
    }

    private void requireConfiguring() {
        if (running != null) {
            throw new IllegalStateException("The server is started: configure it before start");
        }
    }

    private Running running() {
        Running r = running;
        if (r == null) {
            throw new IllegalStateException("The server is not started");
        }
        return r;
    }

    // ------------------------------------------------------------ running

    /** The bound address; its port is the real one when started on port 0. */
    public InetSocketAddress address() {
        return running().tcp().localAddress();
    }

    public int port() {
        return address().getPort();
    }

    /** Whether this server speaks TLS (wss://). */
    public boolean isTls() {
        return tls != null;
    }

    /** {@code "wss"} with TLS, else {@code "ws"}. */
    public String scheme() {
        return tls != null ? "wss" : "ws";
    }

    /** Open connections, including those still in the opening handshake (with TLS: once TLS is up). */
    public int connectionCount() {
        return running().context().sessionCount();
    }

    /** Bytes that incomplete inbound messages hold now, over all connections; see {@link WebSocketOptions#messageMemoryBytes()}. */
    public long messageMemoryBytes() {
        return running().context().messageMemoryBytes();
    }

    /** Memory reserved for compression context by open connections; see {@link WebSocketOptions#compressionBudgetBytes()}. */
    public long compressionContextBytes() {
        return running().context().compressionContextBytes();
    }

    /**
     * Handshakes answered with an HTTP error status so far, including plain HTTP requests the
     * server refused itself (malformed body framing, too large, too slow); not the error statuses
     * an HTTP handler returns.
     */
    public long rejectedHandshakes() {
        return running().context().rejectedHandshakes();
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
        Running r = running();
        r.tcp().stopAccepting();
        r.context().goingAway("Server shutting down");
        try {
            r.context().awaitAllClosed(timeout.toNanos());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        int left = r.context().sessionCount();
        r.tcp().close();
        r.loops().close();
        r.context().shutDownHttp();
        LOG.log(System.Logger.Level.INFO, "WebSocket server on port {0} stopped{1}", String.valueOf(port()),
                left == 0 ? "" : " (" + left + " connections dropped after the close timeout)");
    }
}

package dev.duplex.websocket;

import dev.duplex.transport.EventLoopGroup;
import dev.duplex.websocket.internal.ClientContext;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLContext;

/**
 * A WebSocket client. One instance owns its event loops and can hold many connections. It speaks
 * {@code ws://} and {@code wss://} (TLS, default port 443, trusting what
 * {@link SSLContext#getDefault()} trusts unless {@link #sslContext} says otherwise). Over wss://
 * the server's certificate must name the URI's host; see {@link #insecureSkipHostnameVerification()}.
 * It is configured, then built, as one object:
 *
 * <pre>{@code
 * try (WebSocketClient client = WebSocketClient.builder().build()) {
 *     WebSocket ws = client.connect(URI.create("ws://localhost:8080/echo"), new WebSocketListener() {
 *         @Override public void onText(WebSocket ws, String text) { System.out.println(text); }
 *     }).get();
 *     ws.sendText("hello");
 * }
 * }</pre>
 *
 * Configuring is not thread safe and ends with {@link #build()}; a built client is thread safe.
 */
public final class WebSocketClient implements AutoCloseable {
    private WebSocketOptions options = WebSocketOptions.defaults();
    private int eventLoops = 1;
    private Executor executor;
    private SSLContext sslContext;
    private boolean verifyHostname = true;

    /** Set by build: what runs. */
    private volatile Running running;

    private record Running(EventLoopGroup loops, ClientContext context) {
    }

    private WebSocketClient() {
    }

    /** A client to configure, then {@link #build}. */
    public static WebSocketClient builder() {
        return new WebSocketClient();
    }

    // ------------------------------------------------------------ configuring

    /**
     * Keys and trust for wss:// connections, e.g. one trusting a private CA. Default:
     * {@link SSLContext#getDefault()} (the JDK's trusted CAs).
     */
    public WebSocketClient sslContext(SSLContext value) {
        requireConfiguring();
        this.sslContext = Objects.requireNonNull(value);
        return this;
    }

    /**
     * Accepts a trusted certificate over wss:// even when it names another host. Only for
     * tests or a server reached by an address its certificate does not list: without the check
     * anyone holding any certificate the context trusts can impersonate the server
     * (CVE-2020-11050 was exactly this default in another Java client).
     */
    public WebSocketClient insecureSkipHostnameVerification() {
        requireConfiguring();
        this.verifyHostname = false;
        return this;
    }

    /** Every limit and timeout; default {@link WebSocketOptions#defaults()}. */
    public WebSocketClient options(WebSocketOptions value) {
        requireConfiguring();
        this.options = Objects.requireNonNull(value);
        return this;
    }

    /** Number of event loops; default 1, which serves thousands of connections. */
    public WebSocketClient eventLoops(int count) {
        requireConfiguring();
        this.eventLoops = count;
        return this;
    }

    /** Runs listeners on {@code executor}, one event at a time per connection, in order. */
    public WebSocketClient executor(Executor value) {
        requireConfiguring();
        this.executor = value;
        return this;
    }

    /** Shorthand for options with this connect-and-handshake timeout. */
    public WebSocketClient handshakeTimeout(Duration timeout) {
        requireConfiguring();
        this.options = options.withHandshakeTimeout(timeout);
        return this;
    }

    /** Starts the client's event loops; from now on it connects. */
    public WebSocketClient build() {
        requireConfiguring();
        EventLoopGroup loops = new EventLoopGroup(eventLoops);
        running = new Running(loops, new ClientContext(loops, options, executor, sslContext, verifyHostname));
        return this;
    }

    private void requireConfiguring() {
        if (running != null) {
            throw new IllegalStateException("The client is built: configure it before build");
        }
    }

    private Running running() {
        Running r = running;
        if (r == null) {
            throw new IllegalStateException("The client is not built: call build() first");
        }
        return r;
    }

    // ------------------------------------------------------------ running

    /**
     * Connects. The future completes after {@link WebSocketListener#onOpen} with the open
     * connection, or exceptionally: {@link dev.duplex.protocol.handshake.HandshakeException} when
     * the server refused or answered wrongly, {@link java.net.ConnectException} when nothing
     * listens, {@link java.util.concurrent.TimeoutException} when the handshake took too long,
     * {@link javax.net.ssl.SSLHandshakeException} when TLS failed (an untrusted certificate, or one
     * that does not name the host: its message says how to fix that). A connection that never
     * opened reports only through the future.
     *
     * @throws IllegalArgumentException for a URI that is not ws:// or wss://
     */
    public CompletableFuture<WebSocket> connect(URI uri, WebSocketListener listener) {
        return connect(uri, List.of(), Map.of(), listener);
    }

    /**
     * Connects offering {@code subprotocols} (in order of preference; {@link WebSocket#subprotocol()}
     * tells which the server chose) and sending {@code headers} with the request, in their
     * iteration order.
     *
     * @throws IllegalArgumentException for a URI that is not ws:// or wss://, or a header name or
     *     value holding CR, LF or NUL (nothing can be injected into the request)
     */
    public CompletableFuture<WebSocket> connect(URI uri, List<String> subprotocols, Map<String, String> headers,
            WebSocketListener listener) {
        return running().context().connect(Objects.requireNonNull(uri, "uri"), List.copyOf(subprotocols), headers,
                Objects.requireNonNull(listener, "listener"));
    }

    /** Open connections. */
    public int connectionCount() {
        return running().context().sessionCount();
    }

    /** Closes every connection with 1001, waits up to the close timeout, then stops the event loops. */
    @Override
    public void close() {
        Running r = running();
        r.context().goingAway();
        try {
            r.context().awaitAllClosed(options.closeTimeout().toNanos());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        r.loops().close();
    }
}

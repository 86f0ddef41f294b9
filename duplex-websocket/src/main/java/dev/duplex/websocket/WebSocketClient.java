package dev.duplex.websocket;

import dev.duplex.transport.EventLoopGroup;
import dev.duplex.transport.TransportOptions;
import dev.duplex.websocket.internal.ClientContext;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLContext;

/**
 * A WebSocket client. One instance owns its event loops and can hold many connections. It speaks
 * {@code ws://} and {@code wss://} (TLS, default port 443, trusting what
 * {@link SSLContext#getDefault()} trusts unless {@link Builder#sslContext} says otherwise). Over
 * wss:// the server's certificate must name the URI's host; see
 * {@link Builder#insecureSkipHostnameVerification()}.
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
 * Thread safe.
 */
public final class WebSocketClient implements AutoCloseable {
    private final EventLoopGroup loops;
    private final ClientContext context;
    private final WebSocketOptions options;

    private WebSocketClient(EventLoopGroup loops, ClientContext context, WebSocketOptions options) {
        this.loops = loops;
        this.context = context;
        this.options = options;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Connects. The future completes after {@link WebSocketListener#onOpen} with the open
     * connection, or exceptionally: {@link dev.duplex.protocol.handshake.HandshakeException} when
     * the server refused or answered wrongly, {@link java.net.ConnectException} when nothing
     * listens, {@link java.util.concurrent.TimeoutException} when the handshake took too long,
     * {@link javax.net.ssl.SSLHandshakeException} when TLS failed (an untrusted certificate, or one
     * that does not name the host: its message says how to fix that). A connection that never
     * opened reports only through the future.
     *
     * @throws IllegalArgumentException for a URI that is not ws:// or wss://, or a header holding CR, LF or NUL
     */
    public CompletableFuture<WebSocket> connect(URI uri, WebSocketListener listener) {
        return connect(ConnectRequest.to(uri), listener);
    }

    public CompletableFuture<WebSocket> connect(ConnectRequest request, WebSocketListener listener) {
        return context.connect(request, Objects.requireNonNull(listener, "listener"));
    }

    /** Open connections. */
    public int connectionCount() {
        return context.sessionCount();
    }

    /** Closes every connection with 1001, waits up to the close timeout, then stops the event loops. */
    @Override
    public void close() {
        context.goingAway();
        try {
            context.awaitAllClosed(options.closeTimeout().toNanos());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        loops.close();
    }

    /** Configures a {@link WebSocketClient}. Not thread safe. */
    public static final class Builder {
        private WebSocketOptions options = WebSocketOptions.defaults();
        private TransportOptions transport = TransportOptions.defaults();
        private int eventLoops = 1;
        private Executor executor;
        private SSLContext sslContext;
        private boolean verifyHostname = true;

        private Builder() {
        }

        /**
         * Keys and trust for wss:// connections, e.g. one trusting a private CA. Default:
         * {@link SSLContext#getDefault()} (the JDK's trusted CAs).
         */
        public Builder sslContext(SSLContext value) {
            this.sslContext = Objects.requireNonNull(value);
            return this;
        }

        /**
         * Accepts a trusted certificate over wss:// even when it names another host. Only for
         * tests or a server reached by an address its certificate does not list: without the check
         * anyone holding any certificate the context trusts can impersonate the server
         * (CVE-2020-11050 was exactly this default in another Java client).
         */
        public Builder insecureSkipHostnameVerification() {
            this.verifyHostname = false;
            return this;
        }

        public Builder options(WebSocketOptions value) {
            this.options = Objects.requireNonNull(value);
            return this;
        }

        public Builder transport(TransportOptions value) {
            this.transport = Objects.requireNonNull(value);
            return this;
        }

        /** Number of event loops; default 1, which serves thousands of connections. */
        public Builder eventLoops(int count) {
            this.eventLoops = count;
            return this;
        }

        /** Runs listeners on {@code executor}, one event at a time per connection, in order. */
        public Builder executor(Executor value) {
            this.executor = value;
            return this;
        }

        /** Shorthand for options with this connect-and-handshake timeout. */
        public Builder handshakeTimeout(Duration timeout) {
            this.options = options.withHandshakeTimeout(timeout);
            return this;
        }

        public WebSocketClient build() {
            EventLoopGroup loops = new EventLoopGroup(eventLoops);
            return new WebSocketClient(loops, new ClientContext(loops, options, transport, executor,
                    sslContext, verifyHostname), options);
        }
    }
}

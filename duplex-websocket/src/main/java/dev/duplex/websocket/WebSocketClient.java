package dev.duplex.websocket;

import dev.duplex.transport.EventLoopGroup;
import dev.duplex.transport.TransportOptions;
import dev.duplex.websocket.internal.ClientContext;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * A WebSocket client. One instance owns its event loops and can hold many connections.
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
     * listens, {@link java.util.concurrent.TimeoutException} when the handshake took too long. A
     * connection that never opened reports only through the future.
     *
     * @throws IllegalArgumentException for a URI that is not ws://, or a header holding CR, LF or NUL
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

        private Builder() {
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
            return new WebSocketClient(loops, new ClientContext(loops, options, transport, executor), options);
        }
    }
}

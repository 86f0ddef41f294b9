package dev.duplex.hub;

import dev.duplex.hub.broker.Broker;
import dev.duplex.hub.http.HubHttpApi;
import dev.duplex.websocket.HttpCall;
import dev.duplex.websocket.HttpReply;
import java.util.function.Function;
import dev.duplex.websocket.WebSocketOptions;
import dev.duplex.websocket.WebSocketServer;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A hub on a port: a {@link WebSocketServer} with the hub at {@value #PATH} and its HTTP endpoints
 * ({@link HubHttpApi}: health, readiness, metrics, the server API) on the same port. The smallest
 * embedding:
 * <pre>{@code
 * try (HubServer server = HubServer.start(HubConfig.defaults(), 8080)) { ... }
 * }</pre>
 */
public final class HubServer implements AutoCloseable {
    /** Where clients connect. */
    public static final String PATH = "/connect";
    private static final System.Logger LOG = System.getLogger("dev.duplex.hub");

    private final Hub hub;
    private final WebSocketServer server;
    private final List<AutoCloseable> companions = new CopyOnWriteArrayList<>();

    private HubServer(Hub hub, WebSocketServer server) {
        this.hub = hub;
        this.server = server;
    }

    /** A hub with the in-memory broker on all interfaces at {@code port} (0 = any free port). */
    public static HubServer start(HubConfig config, int port) {
        return builder().config(config).port(port).start();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Hub hub() {
        return hub;
    }

    public WebSocketServer webSocketServer() {
        return server;
    }

    public int port() {
        return server.port();
    }

    /**
     * Drains (every client told to reconnect elsewhere, spread over the drain window), then closes.
     * Returns when done or after the drain window plus {@code grace}.
     */
    public void drainAndClose(Duration grace) {
        try {
            hub.drain().get(hub.config().drainWindow().plus(grace).toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, "Drain did not finish in time: " + e);
        }
        close();
    }

    /**
     * Something that lives as long as this server (simulated devices, a stats publisher): closed
     * first when the server closes, in the reverse order of registration.
     */
    public void closeWith(AutoCloseable companion) {
        companions.add(0, companion);
    }

    /** Closes at once: companions stop, clients get 1001 from the WebSocket server, then the hub stops. */
    @Override
    public void close() {
        for (AutoCloseable c : companions) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.log(System.Logger.Level.WARNING, "Closing " + c + " failed", e);
            }
        }
        companions.clear();
        try {
            server.close();
        } finally {
            hub.close();
        }
    }

    /** Options of a {@link HubServer}. */
    public static final class Builder {
        private HubConfig config = HubConfig.defaults();
        private Broker broker;
        private InetSocketAddress address = new InetSocketAddress(0);
        private WebSocketOptions options;
        private Consumer<WebSocketServer> customizer = b -> { };
        private Function<HttpCall, HttpReply> httpFallback;

        public Builder config(HubConfig value) {
            this.config = Objects.requireNonNull(value, "config");
            return this;
        }

        /** A broker other than the in-memory one; the caller closes it after the server. */
        public Builder broker(Broker value) {
            this.broker = value;
            return this;
        }

        public Builder port(int port) {
            this.address = new InetSocketAddress(port);
            return this;
        }

        public Builder address(InetSocketAddress value) {
            this.address = Objects.requireNonNull(value, "address");
            return this;
        }

        /** WebSocket options; by default 1 MiB messages and WebSocket pings at the heartbeat interval. */
        public Builder options(WebSocketOptions value) {
            this.options = value;
            return this;
        }

        /** Serves the HTTP requests the hub does not (static files, say); by default they get 404. */
        public Builder httpFallback(Function<HttpCall, HttpReply> value) {
            this.httpFallback = value;
            return this;
        }

        /** Adds to the WebSocket server before it starts: more routes, TLS, origin policy, HTTP. */
        public Builder customize(Consumer<WebSocketServer> value) {
            this.customizer = Objects.requireNonNull(value, "customizer");
            return this;
        }

        public HubServer start() {
            Hub hub = broker == null ? new Hub(config) : new Hub(config, broker);
            WebSocketOptions ws = options != null ? options : WebSocketOptions.defaults()
                    .withPingInterval(config.heartbeat())
                    .withPongTimeout(config.heartbeat());
            WebSocketServer b = WebSocketServer.builder()
                    .route(PATH, HubEndpoint.SUBPROTOCOLS, new HubEndpoint(hub))
                    // The hub keeps its own bounded queue per connection and hands the socket
                    // 64 KiB at a time; the transport tells it when that drained.
                    .options(ws.withWriteHighWatermarkBytes(hub.socketWatermark()))
                    .http(new HubHttpApi(hub, httpFallback));
            customizer.accept(b);
            try {
                return new HubServer(hub, b.start(address));
            } catch (RuntimeException e) {
                hub.close();
                throw e;
            }
        }
    }
}

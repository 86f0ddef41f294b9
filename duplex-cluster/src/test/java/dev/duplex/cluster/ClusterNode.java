package dev.duplex.cluster;

import dev.duplex.hub.HubConfig;
import dev.duplex.hub.HubServer;
import dev.duplex.hub.NamespaceConfig;
import dev.duplex.hub.broker.redis.RedisBroker;
import dev.duplex.hub.broker.redis.RedisBrokerOptions;
import dev.duplex.websocket.WebSocketOptions;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * One node of a test cluster in this JVM: a {@link HubServer} on a free loopback port with a
 * {@link RedisBroker} of its own, built as {@code duplex serve --broker URI…} builds it (the same
 * options from the same URIs, in the same order). {@link #start} makes the nodes of the delivery
 * tests, {@link #forFaults} those of the fault tests (whose settings are also here, for
 * {@link ProcessNode} to run the same). Close it to stop the server, then the broker.
 */
final class ClusterNode implements AutoCloseable {
    /** Fault tests: history deep enough that nothing a test publishes falls out of it. */
    static final int FAULT_HISTORY = 10_000;
    /** Fault tests: longer than any test, so that silent clients are not disconnected for missing pings (3003). */
    static final Duration FAULT_HEARTBEAT = Duration.ofMinutes(2);

    private final RedisBroker broker;
    private final HubServer server;

    private ClusterNode(RedisBroker broker, HubServer server) {
        this.broker = broker;
        this.server = server;
    }

    /** A node of the delivery tests: on {@code redisUris}, its keys under {@code prefix}, running {@code config}. */
    static ClusterNode start(List<String> redisUris, String prefix, HubConfig config) {
        return start(RedisBrokerOptions.builder().uris(redisUris).prefix(prefix).build(), server -> server.config(config));
    }

    /**
     * A node of the fault tests: on Redis at {@code redisUri} with the broker options of
     * {@code duplex serve} (the defaults), running {@link #faultConfig()} with
     * {@link #faultServerOptions()} on one event loop.
     */
    static ClusterNode forFaults(String redisUri) {
        return start(RedisBrokerOptions.builder().uri(redisUri).build(), server -> server.config(faultConfig())
                .options(faultServerOptions())
                .customize(ws -> ws.eventLoops(1)));
    }

    private static ClusterNode start(RedisBrokerOptions brokerOptions, UnaryOperator<HubServer.Builder> settings) {
        RedisBroker broker = new RedisBroker(brokerOptions);
        try {
            HubServer server = settings.apply(HubServer.builder().broker(broker))
                    .address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                    .start();
            return new ClusterNode(broker, server);
        } catch (RuntimeException e) {
            broker.close();
            throw e;
        }
    }

    /**
     * The hub of every fault-test node: the default namespace with deep history and presence,
     * without join and leave messages (with a thousand subscribers they would be a million
     * messages, none of them under test), and a command rate no test reaches.
     */
    static HubConfig faultConfig() {
        return HubConfig.builder()
                .heartbeat(FAULT_HEARTBEAT)
                .commandRate(100_000, 100_000)
                .defaultNamespace(NamespaceConfig.builder().historySize(FAULT_HISTORY).historyTtl(Duration.ofMinutes(10))
                        .joinLeave(false).presence(true).build())
                .build();
    }

    /** Every fault-test client comes from 127.0.0.1: the per-address limits must let a thousand in. */
    static WebSocketOptions faultServerOptions() {
        return WebSocketOptions.defaults()
                .withPingInterval(FAULT_HEARTBEAT)
                .withPongTimeout(FAULT_HEARTBEAT)
                .withMaxConnectionsPerAddress(4_096)
                .withMaxPendingHandshakes(4_096);
    }

    /** {@link #faultConfig()} and {@link #faultServerOptions()} as a {@code duplex serve} configuration file. */
    static String faultServeYaml() {
        return """
                max_connections_per_address: 4096
                max_pending_handshakes: 4096
                hub:
                  heartbeat: 2m
                  commands_per_second: 100000
                  command_burst: 100000
                default_namespace:
                  history_size: %d
                  history_ttl: 10m
                  presence: true
                  join_leave: false
                """.formatted(FAULT_HISTORY);
    }

    RedisBroker broker() {
        return broker;
    }

    HubServer server() {
        return server;
    }

    int port() {
        return server.port();
    }

    /** Where clients connect to this node. */
    URI uri() {
        return URI.create("ws://127.0.0.1:" + port() + HubServer.PATH);
    }

    /** An HTTP reply: the status code and the body. */
    record HttpAnswer(int status, String body) {
    }

    /**
     * POSTs {@code json} to this node's HTTP API at {@code /api/OPERATION} with {@code apiKey}, over a
     * plain socket closed when the reply is read (the API answers one request per connection).
     */
    HttpAnswer post(String operation, String apiKey, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        String head = "POST /api/" + operation + " HTTP/1.1\r\n"
                + "Host: 127.0.0.1:" + port() + "\r\n"
                + "Authorization: apikey " + apiKey + "\r\n"
                + "Content-Type: application/json\r\n"
                + "Content-Length: " + body.length + "\r\n"
                + "Connection: close\r\n\r\n";
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port())) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            String reply = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int headEnd = reply.indexOf("\r\n\r\n");
            if (!reply.startsWith("HTTP/1.1 ") || headEnd < 0) {
                throw new IOException("Not an HTTP reply: " + reply);
            }
            return new HttpAnswer(Integer.parseInt(reply.substring(9, 12)), reply.substring(headEnd + 4));
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } finally {
            broker.close();
        }
    }
}

package dev.duplex.cluster;

import dev.duplex.hub.HubConfig;
import dev.duplex.hub.HubServer;
import dev.duplex.hub.broker.redis.RedisBroker;
import dev.duplex.hub.broker.redis.RedisBrokerOptions;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One node of a test cluster: a {@link HubServer} on a free loopback port with a {@link RedisBroker}
 * of its own, built as {@code duplex serve --broker URI…} builds it (the same options from the same
 * URIs, in the same order). Close it to stop the server, then the broker.
 */
final class ClusterNode implements AutoCloseable {
    private final RedisBroker broker;
    private final HubServer server;

    private ClusterNode(RedisBroker broker, HubServer server) {
        this.broker = broker;
        this.server = server;
    }

    static ClusterNode start(List<String> redisUris, String prefix, HubConfig config) {
        RedisBroker broker = new RedisBroker(RedisBrokerOptions.builder().uris(redisUris).prefix(prefix).build());
        try {
            HubServer server = HubServer.builder()
                    .broker(broker)
                    .config(config)
                    .address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                    .start();
            return new ClusterNode(broker, server);
        } catch (RuntimeException e) {
            broker.close();
            throw e;
        }
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

    String connectUri() {
        return "ws://127.0.0.1:" + port() + HubServer.PATH;
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

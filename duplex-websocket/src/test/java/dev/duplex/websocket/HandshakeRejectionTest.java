package dev.duplex.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every malformed or unwanted handshake gets its status, a readable body, and a closed connection. */
class HandshakeRejectionTest {
    private static WebSocketServer server;

    @BeforeAll
    static void start() {
        server = WebSocketServer.builder()
                .route("/echo", TestServers.ECHO)
                .options(WebSocketOptions.defaults().withAllowedOrigins("https://good.example")
                        .withHandshakeTimeout(Duration.ofMillis(400)))
                .startOnLoopback(0);
    }

    @AfterAll
    static void stop() throws Exception {
        // No rejected connection may linger.
        assertThat(TestServers.eventually(Duration.ofSeconds(5), () -> server.connectionCount() == 0))
                .as("connections left open: %d", server.connectionCount()).isTrue();
        server.close();
    }

    private String exchange(String request) throws Exception {
        try (RawClient raw = new RawClient(server.port())) {
            raw.send(request);
            String response = new String(raw.readToEnd(), java.nio.charset.StandardCharsets.UTF_8);
            return response;
        }
    }

    @Test
    void unknownPathIs404() throws Exception {
        String response = exchange(RawClient.upgrade("/nothing-here"));
        assertThat(response).startsWith("HTTP/1.1 404 Not Found\r\n")
                .contains("Connection: close\r\n", "Content-Type: text/plain")
                .contains("No WebSocket endpoint at this path");
    }

    @Test
    void postIs405WithAllow() throws Exception {
        String response = exchange(RawClient.upgrade("/echo").replace("GET ", "POST "));
        assertThat(response).startsWith("HTTP/1.1 405 ").contains("Allow: GET\r\n");
    }

    @Test
    void wrongVersionIs426WithSupportedVersion() throws Exception {
        String response = exchange(RawClient.upgrade("/echo").replace("Version: 13", "Version: 1337"));
        assertThat(response).startsWith("HTTP/1.1 426 ").contains("Sec-WebSocket-Version: 13\r\n");
    }

    @Test
    void plainHttpIsAnsweredAndClosed() throws Exception {
        String response = exchange("GET /echo HTTP/1.1\r\nHost: localhost\r\n\r\n");
        assertThat(response).startsWith("HTTP/1.1 426 ").contains("Upgrade: websocket");
    }

    @Test
    void missingKeyIs400() throws Exception {
        String response = exchange(RawClient.upgrade("/echo").replace("Sec-WebSocket-Key: " + RawClient.KEY + "\r\n", ""));
        assertThat(response).startsWith("HTTP/1.1 400 ").contains("Missing Sec-WebSocket-Key");
    }

    @Test
    void bodyOnUpgradeIs400() throws Exception {
        String response = exchange(RawClient.upgrade("/echo").replace("\r\n\r\n", "\r\nContent-Length: 5\r\n\r\nhello"));
        assertThat(response).startsWith("HTTP/1.1 400 ").contains("must not have a body");
    }

    @Test
    void foreignOriginIs403() throws Exception {
        String response = exchange(RawClient.upgrade("/echo").replace("\r\n\r\n", "\r\nOrigin: https://evil.example\r\n\r\n"));
        assertThat(response).startsWith("HTTP/1.1 403 ");
    }

    @Test
    void tooManyHeadersIs431() throws Exception {
        StringBuilder headers = new StringBuilder();
        for (int i = 0; i < 2_000; i++) {
            headers.append("X-H").append(i).append(": v\r\n");
        }
        String response = exchange(RawClient.upgrade("/echo").replace("\r\n\r\n", "\r\n" + headers + "\r\n"));
        assertThat(response).startsWith("HTTP/1.1 431 ");
    }

    @Test
    void oversizedRequestLineIs414() throws Exception {
        String response = exchange("GET /" + "a".repeat(10_000) + " HTTP/1.1\r\n\r\n");
        assertThat(response).startsWith("HTTP/1.1 414 ");
    }

    @Test
    void slowHandshakeTimesOutWith408() throws Exception {
        try (RawClient raw = new RawClient(server.port())) {
            raw.send("GET /echo HTTP/1.1\r\nHost: loc"); // and then nothing
            String response = new String(raw.readToEnd(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(response).startsWith("HTTP/1.1 408 ");
        }
    }

    @Test
    void bytesPipelinedAfterARejectedRequestAreNeverProcessed() throws Exception {
        String bad = RawClient.upgrade("/echo").replace("Version: 13", "Version: 8");
        String smuggled = RawClient.upgrade("/echo");
        String response = exchange(bad + smuggled);
        assertThat(response).startsWith("HTTP/1.1 426 ").doesNotContain("101 Switching Protocols");
        assertThat(response.split("HTTP/1.1 ", -1)).hasSize(2); // exactly one response
    }

    @Test
    void goodClientsAreUnaffected() throws Exception {
        try (WebSocketClient client = WebSocketClient.builder().build()) {
            TestServers.Recorder recorder = new TestServers.Recorder();
            WebSocket ws = client.connect(URI.create("ws://127.0.0.1:" + server.port() + "/echo"), recorder).get();
            assertThat(recorder.next()).isEqualTo("open");
            ws.sendText("still fine");
            assertThat(recorder.next()).isEqualTo("text:still fine");
            ws.close();
            assertThat(recorder.next()).isEqualTo("close:1000:");
        }
    }
}

package dev.duplex.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Connection limits answer with a status the client can act on (RELIABILITY H5, H12). */
class AdmissionTest {

    private static String answer(RawClient raw) throws Exception {
        return new String(raw.readToEnd(), StandardCharsets.ISO_8859_1);
    }

    private static RawClient upgraded(WebSocketServer server) throws Exception {
        RawClient raw = new RawClient(server.port());
        raw.send(RawClient.upgrade("/echo"));
        assertThat(raw.readHead()).startsWith("HTTP/1.1 101 ");
        return raw;
    }

    @Test
    void connectionsPerAddressAboveTheLimitGet429() throws Exception {
        List<RawClient> open = new ArrayList<>();
        try (WebSocketServer server = WebSocketServer.builder().route("/echo", TestServers.ECHO)
                .options(WebSocketOptions.defaults().withMaxConnectionsPerAddress(3)).startOnLoopback(0)) {
            for (int i = 0; i < 3; i++) {
                open.add(upgraded(server));
            }
            try (RawClient fourth = new RawClient(server.port())) {
                fourth.send(RawClient.upgrade("/echo"));
                assertThat(answer(fourth)).startsWith("HTTP/1.1 429 ").contains("Retry-After: 5", "Too many connections from your address");
            }
            open.remove(0).close();
            assertThat(TestServers.eventually(Duration.ofSeconds(5), () -> server.connectionCount() == 2)).isTrue();
            open.add(upgraded(server)); // a slot freed up
        } finally {
            for (RawClient raw : open) {
                raw.close();
            }
        }
    }

    @Test
    void connectionsAboveTheServerLimitGet503() throws Exception {
        List<RawClient> open = new ArrayList<>();
        try (WebSocketServer server = WebSocketServer.builder().route("/echo", TestServers.ECHO)
                .options(WebSocketOptions.defaults().withMaxConnections(2)).startOnLoopback(0)) {
            for (int i = 0; i < 2; i++) {
                open.add(upgraded(server));
            }
            try (RawClient third = new RawClient(server.port())) {
                third.send(RawClient.upgrade("/echo"));
                assertThat(answer(third)).startsWith("HTTP/1.1 503 ").contains("Retry-After: 5");
            }
        } finally {
            for (RawClient raw : open) {
                raw.close();
            }
        }
    }

    @Test
    void silentConnectionsCannotCrowdOutRealOnes() throws Exception {
        List<RawClient> silent = new ArrayList<>();
        try (WebSocketServer server = WebSocketServer.builder().route("/echo", TestServers.ECHO)
                .options(WebSocketOptions.defaults().withMaxPendingHandshakes(5)).startOnLoopback(0)) {
            for (int i = 0; i < 5; i++) {
                RawClient raw = new RawClient(server.port());
                raw.send("GET /echo HTTP/1.1\r\n"); // then nothing: a slowloris
                silent.add(raw);
            }
            assertThat(TestServers.eventually(Duration.ofSeconds(5), () -> server.connectionCount() == 5)).isTrue();
            try (RawClient sixth = new RawClient(server.port())) {
                sixth.send(RawClient.upgrade("/echo"));
                assertThat(answer(sixth)).startsWith("HTTP/1.1 503 ").contains("handshakes in progress");
            }
            for (RawClient raw : silent) {
                raw.close();
            }
            silent.clear();
            assertThat(TestServers.eventually(Duration.ofSeconds(5), () -> server.connectionCount() == 0)).isTrue();
            upgraded(server).close(); // slots released: a real client gets in
        } finally {
            for (RawClient raw : silent) {
                raw.close();
            }
        }
    }

    @Test
    void originAllowListAnswers403ToOthers() throws Exception {
        try (WebSocketServer server = WebSocketServer.builder().route("/echo", TestServers.ECHO)
                .options(WebSocketOptions.defaults().withAllowedOrigins("https://app.example.com", "https://*.example.org")).startOnLoopback(0)) {
            for (String origin : List.of("https://evil.example", "https://app.example.com.evil.example", "null",
                    "http://app.example.com", "https://example.org")) {
                try (RawClient raw = new RawClient(server.port())) {
                    raw.send(RawClient.upgrade("/echo").replace("\r\n\r\n", "\r\nOrigin: " + origin + "\r\n\r\n"));
                    assertThat(answer(raw)).as(origin).startsWith("HTTP/1.1 403 ");
                }
            }
            for (String origin : List.of("https://app.example.com", "https://APP.example.com:443", "https://a.b.example.org")) {
                try (RawClient raw = new RawClient(server.port())) {
                    raw.send(RawClient.upgrade("/echo").replace("\r\n\r\n", "\r\nOrigin: " + origin + "\r\n\r\n"));
                    assertThat(raw.readHead()).as(origin).startsWith("HTTP/1.1 101 ");
                }
            }
        }
    }

    @Test
    void incompleteMessagesShareABudgetAndTheOffenderGets1013() throws Exception {
        try (WebSocketServer server = WebSocketServer.builder().route("/echo", TestServers.ECHO)
                .options(WebSocketOptions.defaults().withMessageMemoryBytes(1 << 20)).startOnLoopback(0);
                RawClient first = upgraded(server);
                RawClient second = upgraded(server)) {
            byte[] part = new byte[700 * 1024];
            first.send(RawClient.maskedFrame(0x02, part)); // binary, FIN = 0: held until it completes
            assertThat(TestServers.eventually(Duration.ofSeconds(5), () -> server.messageMemoryBytes() >= part.length)).isTrue();
            second.send(RawClient.maskedFrame(0x02, part)); // would pass the 1 MiB shared budget
            byte[] close = second.readExactly(4);
            assertThat(close[0] & 0xFF).isEqualTo(0x88);
            assertThat(((close[2] & 0xFF) << 8) | (close[3] & 0xFF)).isEqualTo(1013);
            first.send(RawClient.maskedFrame(0x80, new byte[] {1, 2, 3})); // the first one is unaffected
            byte[] header = first.readExactly(10); // 64-bit length form: 0x82, 127, 8 length bytes
            assertThat(header[0] & 0xFF).isEqualTo(0x82);
            assertThat(header[1] & 0xFF).isEqualTo(127);
            assertThat(java.nio.ByteBuffer.wrap(header, 2, 8).getLong()).isEqualTo(part.length + 3);
            assertThat(first.readExactly(part.length + 3)).hasSize(part.length + 3);
            assertThat(TestServers.eventually(Duration.ofSeconds(5), () -> server.messageMemoryBytes() == 0)).isTrue();
        }
    }
}

package dev.duplex.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Regression (security review 2026-12, finding 5): a server took any browser page's connection by
 * default (no Origin check) and listened on every interface. Now: loopback unless told otherwise,
 * and only pages it served itself, on a loopback name when bound to loopback (DNS rebinding).
 */
class OriginDefaultTest {

    private static String handshake(int port, String host, String origin) throws Exception {
        try (RawClient raw = new RawClient(port)) {
            String request = RawClient.upgrade("/echo").replace("Host: localhost\r\n", "Host: " + host + "\r\n");
            if (origin != null) {
                request = request.replace("\r\n\r\n", "\r\nOrigin: " + origin + "\r\n\r\n");
            }
            raw.send(request);
            return raw.readHead();
        }
    }

    @Test
    void byDefaultTheServerListensOnLoopbackAndAdmitsOnlyItsOwnPages() throws Exception {
        try (WebSocketServer server = WebSocketServer.builder().route("/echo", TestServers.ECHO).start(0)) {
            assertThat(server.address().getAddress().isLoopbackAddress()).as("start(port) binds loopback").isTrue();
            int port = server.port();
            String local = "localhost:" + port;
            assertThat(handshake(port, local, null)).as("no Origin: not a browser").startsWith("HTTP/1.1 101 ");
            assertThat(handshake(port, local, "http://localhost:" + port)).startsWith("HTTP/1.1 101 ");
            assertThat(handshake(port, "127.0.0.1:" + port, "http://127.0.0.1:" + port)).startsWith("HTTP/1.1 101 ");
            assertThat(handshake(port, "[::1]:" + port, "http://[::1]:" + port)).startsWith("HTTP/1.1 101 ");
            for (String foreign : List.of("https://evil.example", "http://localhost:" + (port + 1), "null",
                    "http://localhost.evil.example:" + port)) {
                assertThat(handshake(port, local, foreign)).as(foreign).startsWith("HTTP/1.1 403 ");
            }
            // DNS rebinding: evil.example made to resolve to 127.0.0.1 is its own origin, but no loopback name.
            assertThat(handshake(port, "evil.example:" + port, "http://evil.example:" + port)).startsWith("HTTP/1.1 403 ");
        }
    }

    @Test
    void onEveryInterfaceAPageOfTheServersOwnNameIsSameOrigin() throws Exception {
        try (WebSocketServer server = WebSocketServer.builder().route("/echo", TestServers.ECHO)
                .start(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 0))) {
            int port = server.port();
            assertThat(handshake(port, "app.example:" + port, "http://app.example:" + port)).startsWith("HTTP/1.1 101 ");
            assertThat(handshake(port, "app.example:" + port, "http://other.example:" + port)).startsWith("HTTP/1.1 403 ");
            assertThat(handshake(port, "app.example", "https://app.example")).as("default ports on both sides")
                    .startsWith("HTTP/1.1 101 ");
        }
    }

    @Test
    void allowedOriginsAddToTheServersOwnAndAnyOriginIsExplicit() throws Exception {
        try (WebSocketServer server = WebSocketServer.builder().route("/echo", TestServers.ECHO)
                .options(WebSocketOptions.defaults().withAllowedOrigins("https://app.example.com")).start(0)) {
            int port = server.port();
            assertThat(handshake(port, "localhost:" + port, "https://app.example.com")).startsWith("HTTP/1.1 101 ");
            assertThat(handshake(port, "localhost:" + port, "http://localhost:" + port)).startsWith("HTTP/1.1 101 ");
            assertThat(handshake(port, "localhost:" + port, "https://evil.example")).startsWith("HTTP/1.1 403 ");
        }
        try (WebSocketServer server = WebSocketServer.builder().route("/echo", TestServers.ECHO)
                .options(WebSocketOptions.defaults().withAnyOriginAllowed()).start(0)) {
            assertThat(handshake(server.port(), "localhost", "https://evil.example")).startsWith("HTTP/1.1 101 ");
        }
    }
}

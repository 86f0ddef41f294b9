package dev.duplex.protocol.rfc6455;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.duplex.protocol.extension.ExtensionOffer;
import dev.duplex.protocol.handshake.HandshakeRejection;
import dev.duplex.protocol.handshake.HttpHeadParser;
import dev.duplex.protocol.handshake.HttpHeaders;
import dev.duplex.protocol.handshake.HttpLimits;
import dev.duplex.protocol.handshake.HttpRequest;
import dev.duplex.protocol.handshake.ServerHandshake;
import dev.duplex.protocol.handshake.ServerHandshake.Accepted;
import dev.duplex.protocol.handshake.ServerHandshake.Policy;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 6455 §4.2 "Server-Side Requirements": every reason to refuse, and the exact 101. */
class Section4_2_ServerHandshakeTest {
    static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";
    static final String ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

    private static final Policy DEFAULT = new Policy() {
    };

    /** The RFC's sample request, with header lines replaced or added. */
    static String request(String requestLine, String... headers) {
        StringBuilder b = new StringBuilder(requestLine).append("\r\n");
        for (String header : headers) {
            b.append(header).append("\r\n");
        }
        return b.append("\r\n").toString();
    }

    static String[] standardHeaders(String... extra) {
        List<String> headers = new ArrayList<>(List.of(
                "Host: server.example.com",
                "Upgrade: websocket",
                "Connection: Upgrade",
                "Sec-WebSocket-Key: " + KEY,
                "Sec-WebSocket-Version: 13"));
        headers.addAll(List.of(extra));
        return headers.toArray(String[]::new);
    }

    /** Standard headers with the one named {@code name} removed, then {@code extra} added. */
    static String[] without(String name, String... extra) {
        List<String> headers = new ArrayList<>();
        for (String h : standardHeaders()) {
            if (!h.regionMatches(true, 0, name + ":", 0, name.length() + 1)) {
                headers.add(h);
            }
        }
        headers.addAll(List.of(extra));
        return headers.toArray(String[]::new);
    }

    static HttpRequest parse(String head) throws HandshakeRejection {
        HttpHeadParser parser = new HttpHeadParser(HttpLimits.defaults());
        assertThat(parser.feed(ByteBuffer.wrap(head.getBytes(StandardCharsets.ISO_8859_1)))).isTrue();
        return parser.request();
    }

    static Accepted accept(String head, Policy policy) throws HandshakeRejection {
        return ServerHandshake.accept(parse(head), policy);
    }

    static HandshakeRejection reject(String head) {
        return reject(head, DEFAULT);
    }

    static HandshakeRejection reject(String head, Policy policy) {
        return assertThrows(HandshakeRejection.class, () -> accept(head, policy));
    }

    private static String value(List<HttpHeaders.Field> headers, String name) {
        return headers.stream().filter(f -> f.name().equalsIgnoreCase(name)).map(HttpHeaders.Field::value).findFirst().orElse(null);
    }

    @Test
    @DisplayName("The RFC's sample request gets exactly the RFC's 101 response")
    void rfcSampleRequestGetsTheExact101() throws Exception {
        Accepted accepted = accept(request("GET /chat HTTP/1.1", standardHeaders(
                "Origin: http://example.com", "Sec-WebSocket-Protocol: chat, superchat")), new Policy() {
                    @Override
                    public String selectSubprotocol(List<String> offered) {
                        return "chat";
                    }
                });
        assertThat(accepted.key()).isEqualTo(KEY);
        assertThat(accepted.request().path()).isEqualTo("/chat");
        assertThat(new String(accepted.responseBytes(List.of()), StandardCharsets.ISO_8859_1)).isEqualTo(
                "HTTP/1.1 101 Switching Protocols\r\n"
                        + "Upgrade: websocket\r\n"
                        + "Connection: Upgrade\r\n"
                        + "Sec-WebSocket-Accept: " + ACCEPT + "\r\n"
                        + "Sec-WebSocket-Protocol: chat\r\n"
                        + "\r\n");
    }

    @Test
    void responseCarriesNegotiatedExtensionsAndExtraHeaders() throws Exception {
        Accepted accepted = accept(request("GET / HTTP/1.1", standardHeaders("Sec-WebSocket-Extensions: permessage-deflate")),
                new Policy() {
                    @Override
                    public List<ExtensionOffer> negotiateExtensions(List<ExtensionOffer> offered) {
                        return List.of(new ExtensionOffer("permessage-deflate",
                                List.of(new ExtensionOffer.Param("server_no_context_takeover", null))));
                    }
                });
        assertThat(new String(accepted.responseBytes(List.of(new HttpHeaders.Field("X-Server", "duplex"))),
                StandardCharsets.ISO_8859_1)).isEqualTo(
                "HTTP/1.1 101 Switching Protocols\r\n"
                        + "Upgrade: websocket\r\n"
                        + "Connection: Upgrade\r\n"
                        + "Sec-WebSocket-Accept: " + ACCEPT + "\r\n"
                        + "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover\r\n"
                        + "X-Server: duplex\r\n"
                        + "\r\n");
    }

    @Test
    void tokensAreCaseInsensitiveAndConnectionMayListSeveral() throws Exception {
        Accepted accepted = accept(request("GET / HTTP/1.1", "host: a", "UPGRADE: WebSocket", "connection: keep-alive, Upgrade",
                "sec-websocket-key: " + KEY, "SEC-WEBSOCKET-VERSION: 13"), DEFAULT);
        assertThat(accepted.subprotocol()).isNull();
        assertThat(accepted.extensions()).isEmpty();
    }

    @ParameterizedTest(name = "RELIABILITY H6: {0} → 405 with Allow: GET")
    @ValueSource(strings = {"POST", "PUT", "HEAD", "OPTIONS", "get"})
    void nonGetIs405WithAllow(String method) {
        HandshakeRejection rejection = reject(request(method + " /chat HTTP/1.1", standardHeaders()));
        assertThat(rejection.status()).isEqualTo(405);
        assertThat(value(rejection.headers(), "Allow")).isEqualTo("GET");
        assertThat(new String(ServerHandshake.rejectionBytes(rejection), StandardCharsets.ISO_8859_1))
                .startsWith("HTTP/1.1 405 Method Not Allowed\r\nAllow: GET\r\n");
    }

    @ParameterizedTest(name = "RELIABILITY H6: {0} → 400")
    @ValueSource(strings = {"HTTP/1.0", "HTTP/2.0", "HTTP/1.2"})
    void otherHttpVersionsAre400(String version) {
        assertThat(reject(request("GET /chat " + version, standardHeaders())).status()).isEqualTo(400);
    }

    @Test
    @DisplayName("RELIABILITY H6: a missing Host → 400")
    void missingHostIs400() {
        HandshakeRejection rejection = reject(request("GET / HTTP/1.1", without("Host")));
        assertThat(rejection.status()).isEqualTo(400);
        assertThat(rejection.getMessage()).contains("Host");
    }

    @Test
    void duplicateHostIs400() {
        assertThat(reject(request("GET / HTTP/1.1", standardHeaders("Host: evil.example.com"))).status()).isEqualTo(400);
    }

    @ParameterizedTest(name = "RELIABILITY H7: \"{0}\" → 400")
    @ValueSource(strings = {"Content-Length: 20", "Transfer-Encoding: chunked", "Content-Length: 1", "Content-Length: -1",
            "Transfer-Encoding: identity"})
    void aBodyIs400(String header) {
        HandshakeRejection rejection = reject(request("GET / HTTP/1.1", standardHeaders(header)));
        assertThat(rejection.status()).isEqualTo(400);
        assertThat(rejection.getMessage()).contains("body");
    }

    @Test
    void contentLengthZeroIsNoBody() throws Exception {
        assertThat(accept(request("GET / HTTP/1.1", standardHeaders("Content-Length: 0")), DEFAULT).key()).isEqualTo(KEY);
    }

    @Test
    @DisplayName("A missing Upgrade → 426 with Upgrade, Connection and Sec-WebSocket-Version: 13")
    void missingUpgradeIs426() {
        HandshakeRejection rejection = reject(request("GET / HTTP/1.1", without("Upgrade")));
        assertThat(rejection.status()).isEqualTo(426);
        assertThat(value(rejection.headers(), "Upgrade")).isEqualTo("websocket");
        assertThat(value(rejection.headers(), "Sec-WebSocket-Version")).isEqualTo("13");
    }

    @ParameterizedTest(name = "Upgrade: {0} → 400")
    @ValueSource(strings = {"h2c", "websocket2", "", "web socket"})
    void upgradeNotWebsocketIs400(String upgrade) {
        assertThat(reject(request("GET / HTTP/1.1", without("Upgrade", "Upgrade: " + upgrade))).status()).isEqualTo(400);
    }

    @Test
    @DisplayName("RELIABILITY H6: a duplicated Upgrade header → 400")
    void duplicatedUpgradeIs400() {
        assertThat(reject(request("GET / HTTP/1.1", standardHeaders("Upgrade: websocket"))).status()).isEqualTo(400);
    }

    @ParameterizedTest(name = "Connection: {0} → 400")
    @ValueSource(strings = {"keep-alive", "close", "upgraded", ""})
    void connectionWithoutUpgradeIs400(String connection) {
        assertThat(reject(request("GET / HTTP/1.1", without("Connection", "Connection: " + connection))).status()).isEqualTo(400);
    }

    @Test
    void missingConnectionIs400() {
        assertThat(reject(request("GET / HTTP/1.1", without("Connection"))).status()).isEqualTo(400);
    }

    @ParameterizedTest(name = "RELIABILITY H6: Sec-WebSocket-Version: {0} → 426 with Sec-WebSocket-Version: 13")
    @ValueSource(strings = {"1337", "8", "12", "14", "13, 8", ""})
    void unsupportedVersionIs426(String version) {
        HandshakeRejection rejection = reject(request("GET / HTTP/1.1", without("Sec-WebSocket-Version", "Sec-WebSocket-Version: " + version)));
        assertThat(rejection.status()).isEqualTo(426);
        assertThat(rejection.headers()).containsExactly(new HttpHeaders.Field("Sec-WebSocket-Version", "13"));
    }

    @Test
    void missingVersionIs426() {
        HandshakeRejection rejection = reject(request("GET / HTTP/1.1", without("Sec-WebSocket-Version")));
        assertThat(rejection.status()).isEqualTo(426);
        assertThat(rejection.headers()).containsExactly(new HttpHeaders.Field("Sec-WebSocket-Version", "13"));
    }

    @Test
    void duplicatedVersionIs426() {
        assertThat(reject(request("GET / HTTP/1.1", standardHeaders("Sec-WebSocket-Version: 13"))).status()).isEqualTo(426);
    }

    @Test
    void missingKeyIs400() {
        assertThat(reject(request("GET / HTTP/1.1", without("Sec-WebSocket-Key"))).status()).isEqualTo(400);
    }

    @ParameterizedTest(name = "RELIABILITY H6: Sec-WebSocket-Key: {0} → 400")
    @ValueSource(strings = {"c2hvcnQ=", "dGhlIHNhbXBsZSBub25jZQ", "!!!!!!!!!!!!!!!!!!!!!A==", "dGhlIHNhbXBsZSBub25jZWVl",
            "dGhlIHNhbXBsZSBub25jZQ==dGhlIHNhbXBsZSBub25jZQ=="})
    void badKeyIs400(String key) {
        assertThat(reject(request("GET / HTTP/1.1", without("Sec-WebSocket-Key", "Sec-WebSocket-Key: " + key))).status()).isEqualTo(400);
    }

    @Test
    void duplicatedKeyIs400() {
        assertThat(reject(request("GET / HTTP/1.1", standardHeaders("Sec-WebSocket-Key: " + KEY))).status()).isEqualTo(400);
    }

    @Test
    @DisplayName("RELIABILITY H10: an origin the policy refuses → 403, and the policy sees the exact Origin and Host")
    void refusedOriginIs403() {
        List<String> seen = new ArrayList<>();
        Policy sameOrigin = new Policy() {
            @Override
            public boolean isOriginAllowed(String origin, String host) {
                seen.add(origin);
                seen.add(host);
                return "https://example.com".equals(origin);
            }
        };
        HandshakeRejection rejection = reject(request("GET / HTTP/1.1", standardHeaders("Origin: https://evil.example")), sameOrigin);
        assertThat(rejection.status()).isEqualTo(403);
        assertThat(reject(request("GET / HTTP/1.1", standardHeaders()), sameOrigin).status()).isEqualTo(403);
        assertThat(seen).containsExactly("https://evil.example", "server.example.com", null, "server.example.com");
    }

    @Test
    void duplicatedOriginIs400() {
        assertThat(reject(request("GET / HTTP/1.1", standardHeaders("Origin: https://a.example", "Origin: https://b.example")))
                .status()).isEqualTo(400);
    }

    @Test
    @DisplayName("Subprotocols from every header line are offered to the policy in the client's order")
    void subprotocolSelection() throws Exception {
        List<List<String>> seen = new ArrayList<>();
        Policy prefersSuperchat = new Policy() {
            @Override
            public String selectSubprotocol(List<String> offered) {
                seen.add(offered);
                return offered.contains("superchat") ? "superchat" : null;
            }
        };
        Accepted accepted = accept(request("GET / HTTP/1.1",
                standardHeaders("Sec-WebSocket-Protocol: chat, superchat", "Sec-WebSocket-Protocol: v2.chat")), prefersSuperchat);
        assertThat(seen).containsExactly(List.of("chat", "superchat", "v2.chat"));
        assertThat(accepted.subprotocol()).isEqualTo("superchat");
        assertThat(new String(accepted.responseBytes(List.of()), StandardCharsets.ISO_8859_1)).contains("\r\nSec-WebSocket-Protocol: superchat\r\n");

        Accepted declined = accept(request("GET / HTTP/1.1", standardHeaders("Sec-WebSocket-Protocol: mqtt")), prefersSuperchat);
        assertThat(declined.subprotocol()).isNull();
        assertThat(new String(declined.responseBytes(List.of()), StandardCharsets.ISO_8859_1)).doesNotContain("Sec-WebSocket-Protocol");
    }

    @Test
    void thePolicyIsNotAskedWhenNoSubprotocolIsOffered() throws Exception {
        Accepted accepted = accept(request("GET / HTTP/1.1", standardHeaders()), new Policy() {
            @Override
            public String selectSubprotocol(List<String> offered) {
                throw new AssertionError("asked about " + offered);
            }
        });
        assertThat(accepted.subprotocol()).isNull();
    }

    @Test
    void aPolicyChoosingAnUnofferedSubprotocolIsAProgrammingError() {
        assertThatThrownBy(() -> accept(request("GET / HTTP/1.1", standardHeaders("Sec-WebSocket-Protocol: chat")), new Policy() {
            @Override
            public String selectSubprotocol(List<String> offered) {
                return "other";
            }
        })).isInstanceOf(IllegalStateException.class);
    }

    @ParameterizedTest(name = "Sec-WebSocket-Protocol: {0} → 400")
    @ValueSource(strings = {"chat/1", "a b", "\"chat\""})
    void nonTokenSubprotocolIs400(String value) {
        assertThat(reject(request("GET / HTTP/1.1", standardHeaders("Sec-WebSocket-Protocol: " + value))).status()).isEqualTo(400);
    }

    @Test
    @DisplayName("RELIABILITY H1: a ReDoS-shaped subprotocol list is parsed quickly (CVE-2021-32640 class)")
    void longSubprotocolListIsLinear() {
        String value = "b" + " ".repeat(12_000) + "x";
        long start = System.nanoTime();
        HandshakeRejection rejection = reject(request("GET / HTTP/1.1", standardHeaders("Sec-WebSocket-Protocol: " + value)));
        assertThat(rejection.status()).isEqualTo(400);
        assertThat(System.nanoTime() - start).isLessThan(1_000_000_000L);
    }

    @Test
    @DisplayName("Extension offers are parsed, quoted values unescaped, and handed to the policy in order")
    void extensionOffersAreParsed() throws Exception {
        List<List<ExtensionOffer>> seen = new ArrayList<>();
        accept(request("GET / HTTP/1.1", standardHeaders(
                "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits; server_max_window_bits=10, x-foo",
                "Sec-WebSocket-Extensions: x-bar; a=\"b\"; q=\"\\v\\a\\l\"")), new Policy() {
                    @Override
                    public List<ExtensionOffer> negotiateExtensions(List<ExtensionOffer> offered) {
                        seen.add(offered);
                        return List.of();
                    }
                });
        assertThat(seen).containsExactly(List.of(
                new ExtensionOffer("permessage-deflate", List.of(
                        new ExtensionOffer.Param("client_max_window_bits", null),
                        new ExtensionOffer.Param("server_max_window_bits", "10"))),
                new ExtensionOffer("x-foo", List.of()),
                new ExtensionOffer("x-bar", List.of(
                        new ExtensionOffer.Param("a", "b"),
                        new ExtensionOffer.Param("q", "val")))));
    }

    @Test
    @DisplayName("RELIABILITY H4: extension and parameter names are data (constructor, __proto__)")
    void specialNamesAreData() throws Exception {
        List<List<ExtensionOffer>> seen = new ArrayList<>();
        accept(request("GET / HTTP/1.1", standardHeaders("Sec-WebSocket-Extensions: constructor, __proto__; __proto__=1")), new Policy() {
            @Override
            public List<ExtensionOffer> negotiateExtensions(List<ExtensionOffer> offered) {
                seen.add(offered);
                return List.of();
            }
        });
        assertThat(seen.get(0)).extracting(ExtensionOffer::name).containsExactly("constructor", "__proto__");
        assertThat(seen.get(0).get(1).count("__proto__")).isEqualTo(1);
    }

    @ParameterizedTest(name = "Sec-WebSocket-Extensions: {0} → 400")
    @ValueSource(strings = {
            "permessage-deflate; =10",
            "permessage-deflate;",
            "permessage-deflate x",
            "a; b=\"unterminated",
            "a; b=\"two words\"",
            "a; b=",
            "a; b=c d",
            "a;; b",
    })
    void malformedExtensionOfferIs400(String value) {
        assertThat(reject(request("GET / HTTP/1.1", standardHeaders("Sec-WebSocket-Extensions: " + value))).status()).isEqualTo(400);
    }

    @Test
    @DisplayName("RELIABILITY H1: an unclosed quoted string of backslash pairs is refused in linear time (CVE-2020-7662 class)")
    void backslashBombIsLinear() {
        String value = "a; b=\"" + "\\c".repeat(6_000);
        long start = System.nanoTime();
        assertThat(reject(request("GET / HTTP/1.1", standardHeaders("Sec-WebSocket-Extensions: " + value))).status()).isEqualTo(400);
        assertThat(System.nanoTime() - start).isLessThan(1_000_000_000L);
    }

    @Test
    @DisplayName("rejectionBytes: status line, the rejection's headers, text/plain body, Content-Length and Connection: close")
    void rejectionBytesAreExact() {
        HandshakeRejection rejection = reject(request("GET / HTTP/1.1", without("Sec-WebSocket-Version", "Sec-WebSocket-Version: 1337")));
        String body = rejection.getMessage() + "\n";
        assertThat(new String(ServerHandshake.rejectionBytes(rejection), StandardCharsets.UTF_8)).isEqualTo(
                "HTTP/1.1 426 Upgrade Required\r\n"
                        + "Sec-WebSocket-Version: 13\r\n"
                        + "Content-Type: text/plain; charset=utf-8\r\n"
                        + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n"
                        + "Connection: close\r\n"
                        + "\r\n"
                        + body);
    }

    @Test
    void rejectionBodyLengthCountsUtf8Bytes() {
        HandshakeRejection rejection = new HandshakeRejection(400, "Non-ASCII – dash");
        byte[] bytes = ServerHandshake.rejectionBytes(rejection);
        String all = new String(bytes, StandardCharsets.UTF_8);
        int bodyStart = all.indexOf("\r\n\r\n") + 4;
        byte[] body = java.util.Arrays.copyOfRange(bytes, all.substring(0, bodyStart).getBytes(StandardCharsets.UTF_8).length, bytes.length);
        assertThat(new String(body, StandardCharsets.UTF_8)).isEqualTo("Non-ASCII – dash\n");
        assertThat(all).contains("Content-Length: " + body.length + "\r\n").startsWith("HTTP/1.1 400 Bad Request\r\n");
    }

    @Test
    void reasonPhrases() {
        assertThat(ServerHandshake.reasonPhrase(431)).isEqualTo("Request Header Fields Too Large");
        assertThat(ServerHandshake.reasonPhrase(414)).isEqualTo("URI Too Long");
        assertThat(ServerHandshake.reasonPhrase(403)).isEqualTo("Forbidden");
        assertThat(ServerHandshake.reasonPhrase(599)).isEqualTo("Error");
    }

    @Test
    void requestPathAndQuery() throws Exception {
        HttpRequest request = parse(request("GET /chat?room=1&token=x HTTP/1.1", standardHeaders()));
        assertThat(request.path()).isEqualTo("/chat");
        assertThat(request.query()).isEqualTo("room=1&token=x");
        assertThat(parse(request("GET /chat HTTP/1.1", standardHeaders())).query()).isNull();
    }
}

package dev.duplex.protocol.rfc6455;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.duplex.protocol.extension.ExtensionOffer;
import dev.duplex.protocol.handshake.AcceptKey;
import dev.duplex.protocol.handshake.ClientHandshake;
import dev.duplex.protocol.handshake.HandshakeException;
import dev.duplex.protocol.handshake.HandshakeRejection;
import dev.duplex.protocol.handshake.HttpHeadParser;
import dev.duplex.protocol.handshake.HttpHeaders;
import dev.duplex.protocol.handshake.HttpLimits;
import dev.duplex.protocol.handshake.HttpRequest;
import dev.duplex.protocol.handshake.HttpResponse;
import dev.duplex.protocol.handshake.ServerHandshake;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 6455 §4.1 "Client Requirements": the request we send and the checks on the response. */
class Section4_1_ClientHandshakeTest {

    private static ClientHandshake client(String uri) {
        return new ClientHandshake(URI.create(uri), List.of(), List.of(), List.of(), new Random(7));
    }

    private static ClientHandshake client(List<String> subprotocols, List<ExtensionOffer> extensions) {
        return new ClientHandshake(URI.create("ws://example.com/chat"), subprotocols, extensions, List.of(), new Random(7));
    }

    static HttpResponse response(String head) throws HandshakeRejection {
        HttpHeadParser parser = new HttpHeadParser(HttpLimits.defaults());
        assertThat(parser.feed(ByteBuffer.wrap(head.getBytes(StandardCharsets.ISO_8859_1)))).isTrue();
        return parser.response();
    }

    private static String ok(ClientHandshake handshake, String extraHeaders) {
        return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + AcceptKey.of(handshake.key()) + "\r\n" + extraHeaders + "\r\n";
    }

    @Test
    @DisplayName("The request is a GET with Host, Upgrade, Connection, a 16-byte key and version 13, exactly")
    void requestBytesAreExact() {
        ClientHandshake handshake = client("ws://example.com/chat?room=1");
        String expected = "GET /chat?room=1 HTTP/1.1\r\n"
                + "Host: example.com\r\n"
                + "Upgrade: websocket\r\n"
                + "Connection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + handshake.key() + "\r\n"
                + "Sec-WebSocket-Version: 13\r\n"
                + "\r\n";
        assertThat(new String(handshake.requestBytes(), StandardCharsets.ISO_8859_1)).isEqualTo(expected);
        assertThat(Base64.getDecoder().decode(handshake.key())).hasSize(16);
        assertThat(AcceptKey.isValidKey(handshake.key())).isTrue();
    }

    @Test
    void requestCarriesSubprotocolsExtensionsAndExtraHeaders() {
        ClientHandshake handshake = new ClientHandshake(URI.create("wss://example.com:8443/"),
                List.of("chat", "superchat"),
                List.of(new ExtensionOffer("permessage-deflate", List.of(new ExtensionOffer.Param("client_max_window_bits", null)))),
                List.of(new HttpHeaders.Field("Origin", "https://example.com")), new Random(1));
        String request = new String(handshake.requestBytes(), StandardCharsets.ISO_8859_1);
        assertThat(request).startsWith("GET / HTTP/1.1\r\nHost: example.com:8443\r\n")
                .contains("\r\nSec-WebSocket-Protocol: chat, superchat\r\n")
                .contains("\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n")
                .endsWith("\r\nOrigin: https://example.com\r\n\r\n");
    }

    @Test
    @DisplayName("The request our client builds is accepted by our server")
    void ourRequestIsAcceptedByOurServer() throws Exception {
        ClientHandshake handshake = new ClientHandshake(URI.create("ws://example.com:9000/a/b"), List.of("chat"), List.of(),
                List.of(), new Random(3));
        HttpHeadParser parser = new HttpHeadParser(HttpLimits.defaults());
        assertThat(parser.feed(ByteBuffer.wrap(handshake.requestBytes()))).isTrue();
        HttpRequest request = parser.request();
        ServerHandshake.Accepted accepted = ServerHandshake.accept(request, new ServerHandshake.Policy() {
            @Override
            public String selectSubprotocol(List<String> offered) {
                return offered.get(0);
            }
        });
        byte[] response = accepted.responseBytes(List.of());
        ClientHandshake.Agreed agreed = handshake.validate(response(new String(response, StandardCharsets.ISO_8859_1)));
        assertThat(agreed.subprotocol()).isEqualTo("chat");
        assertThat(request.path()).isEqualTo("/a/b");
        assertThat(request.headers().first("Host")).isEqualTo("example.com:9000");
    }

    @ParameterizedTest(name = "{0} → Host: {1}")
    @CsvSource({
            "ws://example.com, example.com",
            "ws://example.com:80/, example.com",
            "ws://example.com:443/, example.com:443",
            "wss://example.com:443/, example.com",
            "wss://example.com:80/, example.com:80",
            "ws://example.com:8080/x, example.com:8080",
    })
    void hostHeaderOmitsTheDefaultPort(String uri, String host) {
        String request = new String(client(uri).requestBytes(), StandardCharsets.ISO_8859_1);
        assertThat(request).contains("\r\nHost: " + host + "\r\n");
    }

    @Test
    void anEmptyPathIsSentAsSlash() {
        assertThat(new String(client("ws://example.com").requestBytes(), StandardCharsets.ISO_8859_1)).startsWith("GET / HTTP/1.1\r\n");
        assertThat(new String(client("ws://example.com?x=1").requestBytes(), StandardCharsets.ISO_8859_1)).startsWith("GET /?x=1 HTTP/1.1\r\n");
    }

    @Test
    void eachHandshakeHasAFreshKey() {
        Random random = new Random(5);
        URI uri = URI.create("ws://example.com/");
        String a = new ClientHandshake(uri, List.of(), List.of(), List.of(), random).key();
        String b = new ClientHandshake(uri, List.of(), List.of(), List.of(), random).key();
        assertThat(a).isNotEqualTo(b);
    }

    @ParameterizedTest(name = "URI {0} is refused")
    @ValueSource(strings = {"http://example.com/", "example.com/chat", "ws://example.com/chat#frag", "ws:///chat"})
    void badUrisAreRefused(String uri) {
        assertThatThrownBy(() -> client(uri)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest(name = "subprotocol \"{0}\" is refused")
    @ValueSource(strings = {"", "a b", "a,b", "chat\r\nX-Injected: 1", "caf\u00e9"})
    void nonTokenSubprotocolsAreRefused(String protocol) {
        assertThatThrownBy(() -> client(List.of(protocol), List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("RELIABILITY H9: CR/LF/NUL in an extra header is refused before anything is sent (CVE-2026-1527 class)")
    void headerInjectionIsRefused() {
        URI uri = URI.create("ws://example.com/");
        assertThatThrownBy(() -> new ClientHandshake(uri, List.of(), List.of(),
                List.of(new HttpHeaders.Field("X-A", "1\r\nX-Injected: 2")), new Random()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ClientHandshake(uri, List.of(), List.of(),
                List.of(new HttpHeaders.Field("X-A", "nul\0")), new Random()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ClientHandshake(uri, List.of(), List.of(),
                List.of(new HttpHeaders.Field("X A", "v")), new Random()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aCorrect101IsAccepted() throws Exception {
        ClientHandshake handshake = client("ws://example.com/");
        ClientHandshake.Agreed agreed = handshake.validate(response(ok(handshake, "")));
        assertThat(agreed.subprotocol()).isNull();
        assertThat(agreed.extensions()).isEmpty();
        assertThat(agreed.response().status()).isEqualTo(101);
    }

    @Test
    void headerNamesAndTokensAreCaseInsensitive() throws Exception {
        ClientHandshake handshake = client("ws://example.com/");
        String head = "HTTP/1.1 101 Switching Protocols\r\nupgrade: WebSocket\r\nCONNECTION: keep-alive, UPGRADE\r\n"
                + "sec-websocket-accept: " + AcceptKey.of(handshake.key()) + "\r\n\r\n";
        assertThat(handshake.validate(response(head)).response().status()).isEqualTo(101);
    }

    @ParameterizedTest(name = "RELIABILITY H8: status {0} is refused, never a tunnel")
    @ValueSource(ints = {200, 400, 426, 302})
    void anythingButA101IsRefused(int status) {
        ClientHandshake handshake = client("ws://example.com/");
        String head = "HTTP/1.1 " + status + " Whatever\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + AcceptKey.of(handshake.key()) + "\r\n\r\n";
        assertThatThrownBy(() -> handshake.validate(response(head)))
                .isInstanceOfSatisfying(HandshakeException.class, e -> assertThat(e.status()).isEqualTo(status));
    }

    @Test
    void a101WithoutUpgradeIsRefused() {
        ClientHandshake handshake = client("ws://example.com/");
        String head = "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: "
                + AcceptKey.of(handshake.key()) + "\r\n\r\n";
        assertThatThrownBy(() -> handshake.validate(response(head))).isInstanceOf(HandshakeException.class).hasMessageContaining("Upgrade");
    }

    @Test
    void a101WithoutConnectionUpgradeIsRefused() {
        ClientHandshake handshake = client("ws://example.com/");
        String head = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: keep-alive\r\nSec-WebSocket-Accept: "
                + AcceptKey.of(handshake.key()) + "\r\n\r\n";
        assertThatThrownBy(() -> handshake.validate(response(head))).isInstanceOf(HandshakeException.class).hasMessageContaining("Connection");
    }

    @Test
    @DisplayName("RELIABILITY H8: a 101 with a missing, wrong or duplicated Sec-WebSocket-Accept is refused")
    void wrongAcceptIsRefused() {
        ClientHandshake handshake = client("ws://example.com/");
        String base = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n";
        String right = "Sec-WebSocket-Accept: " + AcceptKey.of(handshake.key()) + "\r\n";
        for (String accept : List.of("", "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n", right + right)) {
            assertThatThrownBy(() -> handshake.validate(response(base + accept + "\r\n")))
                    .as(accept).isInstanceOf(HandshakeException.class).hasMessageContaining("Sec-WebSocket-Accept");
        }
    }

    @Test
    void theOfferedSubprotocolTheServerChoseIsReported() throws Exception {
        ClientHandshake handshake = client(List.of("chat", "superchat"), List.of());
        assertThat(handshake.validate(response(ok(handshake, "Sec-WebSocket-Protocol: superchat\r\n"))).subprotocol())
                .isEqualTo("superchat");
    }

    @Test
    void aSubprotocolWeDidNotOfferIsRefused() {
        ClientHandshake handshake = client(List.of("chat"), List.of());
        assertThatThrownBy(() -> handshake.validate(response(ok(handshake, "Sec-WebSocket-Protocol: other\r\n"))))
                .isInstanceOf(HandshakeException.class).hasMessageContaining("did not offer");
        ClientHandshake none = client("ws://example.com/");
        assertThatThrownBy(() -> none.validate(response(ok(none, "Sec-WebSocket-Protocol: chat\r\n"))))
                .isInstanceOf(HandshakeException.class);
    }

    @Test
    void moreThanOneSubprotocolIsRefused() {
        ClientHandshake handshake = client(List.of("chat", "superchat"), List.of());
        assertThatThrownBy(() -> handshake.validate(response(ok(handshake, "Sec-WebSocket-Protocol: chat, superchat\r\n"))))
                .isInstanceOf(HandshakeException.class);
        assertThatThrownBy(() -> handshake.validate(response(ok(handshake,
                "Sec-WebSocket-Protocol: chat\r\nSec-WebSocket-Protocol: superchat\r\n"))))
                .isInstanceOf(HandshakeException.class);
    }

    @Test
    void anOfferedExtensionIsReportedWithItsParameters() throws Exception {
        ClientHandshake handshake = client(List.of(), List.of(new ExtensionOffer("permessage-deflate", List.of())));
        ClientHandshake.Agreed agreed = handshake.validate(response(ok(handshake,
                "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover\r\n")));
        assertThat(agreed.extensions()).singleElement().satisfies(e -> {
            assertThat(e.name()).isEqualTo("permessage-deflate");
            assertThat(e.param("server_no_context_takeover")).isNotNull();
        });
    }

    @Test
    void anExtensionWeDidNotOfferIsRefused() {
        ClientHandshake handshake = client("ws://example.com/");
        assertThatThrownBy(() -> handshake.validate(response(ok(handshake, "Sec-WebSocket-Extensions: permessage-deflate\r\n"))))
                .isInstanceOf(HandshakeException.class).hasMessageContaining("did not offer");
    }

    @Test
    void aMalformedExtensionsHeaderIsRefused() {
        ClientHandshake handshake = client(List.of(), List.of(new ExtensionOffer("permessage-deflate", List.of())));
        assertThatThrownBy(() -> handshake.validate(response(ok(handshake, "Sec-WebSocket-Extensions: permessage-deflate; =1\r\n"))))
                .isInstanceOf(HandshakeException.class).hasMessageContaining("malformed");
    }

    @Test
    void theStatusLineIsParsed() throws Exception {
        HttpResponse response = response("HTTP/1.1 426 Upgrade Required\r\nSec-WebSocket-Version: 13\r\n\r\n");
        assertThat(response.version()).isEqualTo("HTTP/1.1");
        assertThat(response.status()).isEqualTo(426);
        assertThat(response.reason()).isEqualTo("Upgrade Required");
        assertThat(response.headers().first("sec-websocket-version")).isEqualTo("13");
    }

    @ParameterizedTest(name = "malformed status line \"{0}\" → rejection")
    @ValueSource(strings = {"HTTP/1.1", "HTTP/1.1 1x1 Switching", "FTP/1.1 101 Switching", "HTTP/1.1 10",
        // Found by HandshakeFuzzTest: Integer.parseInt took a sign, a leading 0 and a fourth digit.
        "HTTP/1.1 050 Odd", "HTTP/1.1 +12 Plus", "HTTP/1.1 -99 Minus", "HTTP/1.1 1011 Long", "HTTP/1.1 600 Big"})
    void malformedStatusLineIsRefused(String line) {
        assertThatThrownBy(() -> response(line + "\r\n\r\n")).isInstanceOf(HandshakeRejection.class);
    }

    @ParameterizedTest
    @CsvSource({"HTTP/1.1 101 Switching Protocols,101", "HTTP/1.1 101,101", "HTTP/1.1 599 x,599", "HTTP/1.1 100 ,100"})
    void statusCodeIsThreeDigits(String line, int status) throws HandshakeRejection {
        assertThat(response(line + "\r\n\r\n").status()).isEqualTo(status);
    }
}

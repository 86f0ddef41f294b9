package dev.duplex.protocol.handshake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The incremental HTTP/1.1 head parser: limits as bytes arrive, strict line syntax, linear cost. */
class HttpHeadParserTest {
    private static final String REQUEST = "GET /chat?x=1 HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\n"
            + "X-Empty:\r\nX-Spaces: \t padded value \t\r\n\r\n";

    private static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static HttpRequest parse(String head) throws HandshakeRejection {
        HttpHeadParser parser = new HttpHeadParser(HttpLimits.defaults());
        assertThat(parser.feed(ascii(head))).as("head complete").isTrue();
        return parser.request();
    }

    private static HandshakeRejection rejectParse(String head) {
        return assertThrows(HandshakeRejection.class, () -> parse(head));
    }

    @Test
    void parsesRequestLineAndHeaders() throws Exception {
        HttpRequest request = parse(REQUEST);
        assertThat(request.method()).isEqualTo("GET");
        assertThat(request.target()).isEqualTo("/chat?x=1");
        assertThat(request.version()).isEqualTo("HTTP/1.1");
        assertThat(request.headers().fields()).containsExactly(
                new HttpHeaders.Field("Host", "example.com"),
                new HttpHeaders.Field("Upgrade", "websocket"),
                new HttpHeaders.Field("X-Empty", ""),
                new HttpHeaders.Field("X-Spaces", "padded value"));
        assertThat(request.headers().first("host")).isEqualTo("example.com");
        assertThat(request.headers().first("missing")).isNull();
        assertThat(request.headers().all("missing")).isEmpty();
    }

    @Test
    void aHeadFedOneByteAtATimeGivesTheSameRequest() throws Exception {
        HttpHeadParser parser = new HttpHeadParser(HttpLimits.defaults());
        byte[] bytes = REQUEST.getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < bytes.length; i++) {
            boolean complete = parser.feed(ByteBuffer.wrap(bytes, i, 1));
            assertThat(complete).as("complete after byte %d", i).isEqualTo(i == bytes.length - 1);
        }
        assertThat(parser.isComplete()).isTrue();
        HttpRequest whole = parse(REQUEST);
        HttpRequest split = parser.request();
        assertThat(split.method()).isEqualTo(whole.method());
        assertThat(split.target()).isEqualTo(whole.target());
        assertThat(split.version()).isEqualTo(whole.version());
        assertThat(split.headers().fields()).isEqualTo(whole.headers().fields());
    }

    @Test
    void requestBeforeTheHeadIsCompleteIsAnError() throws Exception {
        HttpHeadParser parser = new HttpHeadParser(HttpLimits.defaults());
        assertThat(parser.feed(ascii("GET / HTTP/1.1\r\n"))).isFalse();
        Assertions.assertThrows(IllegalStateException.class, parser::request);
    }

    @Test
    @DisplayName("RELIABILITY H8: bytes pipelined after the head stay in the input, unread")
    void pipelinedBytesAreLeftInTheInput() throws Exception {
        String pipelined = "GET /internal HTTP/1.1\r\nHost: localhost\r\n\r\n";
        ByteBuffer in = ascii(REQUEST + pipelined);
        HttpHeadParser parser = new HttpHeadParser(HttpLimits.defaults());
        assertThat(parser.feed(in)).isTrue();
        assertThat(in.remaining()).isEqualTo(pipelined.length());
        assertThat(StandardCharsets.ISO_8859_1.decode(in.duplicate()).toString()).isEqualTo(pipelined);
        assertThat(parser.request().target()).isEqualTo("/chat?x=1");
        assertThat(parser.feed(in)).as("a complete parser consumes nothing more").isTrue();
        assertThat(in.remaining()).isEqualTo(pipelined.length());
    }

    @Test
    void websocketFramesAfterTheHeadStayInTheInput() throws Exception {
        byte[] head = REQUEST.getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = java.util.Arrays.copyOf(head, head.length + 4);
        all[head.length] = (byte) 0x81;
        all[head.length + 1] = (byte) 0x80;
        ByteBuffer in = ByteBuffer.wrap(all);
        assertThat(new HttpHeadParser(HttpLimits.defaults()).feed(in)).isTrue();
        assertThat(in.position()).isEqualTo(head.length);
    }

    @Test
    @DisplayName("A request line of exactly maxRequestLineBytes is accepted; one byte more → 414 at that byte")
    void requestLineLimitIs414() throws Exception {
        HttpLimits limits = HttpLimits.defaults().withMaxRequestLineBytes(64);
        String prefix = "GET /";
        String suffix = " HTTP/1.1";
        String exact = prefix + "a".repeat(64 - prefix.length() - suffix.length()) + suffix;
        assertThat(exact).hasSize(64);
        HttpHeadParser ok = new HttpHeadParser(limits);
        assertThat(ok.feed(ascii(exact + "\r\nHost: a\r\n\r\n"))).isTrue();
        assertThat(ok.request().target()).hasSize(64 - prefix.length() - suffix.length() + 1);

        String tooLong = prefix + "a".repeat(65 - prefix.length() - suffix.length()) + suffix;
        ByteBuffer in = ascii(tooLong + "\r\nHost: a\r\n\r\n");
        HandshakeRejection rejection = assertThrows(HandshakeRejection.class, () -> new HttpHeadParser(limits).feed(in));
        assertThat(rejection.status()).isEqualTo(414);
        assertThat(in.position()).as("stops reading at the limit").isLessThanOrEqualTo(66);
    }

    @Test
    @DisplayName("An endless request line is refused with 414 as soon as it crosses the limit")
    void endlessRequestLineIs414() {
        HttpHeadParser parser = new HttpHeadParser(HttpLimits.defaults());
        ByteBuffer in = ascii("GET /" + "a".repeat(100_000));
        HandshakeRejection rejection = assertThrows(HandshakeRejection.class, () -> parser.feed(in));
        assertThat(rejection.status()).isEqualTo(414);
        assertThat(in.position()).isEqualTo(HttpLimits.defaults().maxRequestLineBytes() + 1);
    }

    @Test
    @DisplayName("A head of exactly maxHeadBytes is accepted; one byte more → 431")
    void headSizeLimitIs431() throws Exception {
        HttpLimits limits = HttpLimits.defaults().withMaxHeadBytes(256);
        String start = "GET / HTTP/1.1\r\nX-Pad: ";
        String end = "\r\n\r\n";
        String exact = start + "p".repeat(256 - start.length() - end.length()) + end;
        assertThat(exact).hasSize(256);
        HttpHeadParser ok = new HttpHeadParser(limits);
        assertThat(ok.feed(ascii(exact))).isTrue();
        assertThat(ok.request().headers().first("X-Pad")).hasSize(256 - start.length() - end.length());

        String over = start + "p".repeat(257 - start.length() - end.length()) + end;
        HandshakeRejection rejection = assertThrows(HandshakeRejection.class, () -> new HttpHeadParser(limits).feed(ascii(over)));
        assertThat(rejection.status()).isEqualTo(431);
    }

    @Test
    @DisplayName("Exactly maxHeaderCount headers are accepted; one more → 431")
    void headerCountLimitIs431() throws Exception {
        HttpLimits limits = HttpLimits.defaults().withMaxHeaderCount(10);
        HttpHeadParser ok = new HttpHeadParser(limits);
        assertThat(ok.feed(ascii(headWithHeaders(10)))).isTrue();
        assertThat(ok.request().headers().fields()).hasSize(10);

        HttpHeadParser tooMany = new HttpHeadParser(limits);
        assertThat(tooMany.feed(ascii(headWithHeaders(11)))).isTrue();
        HandshakeRejection rejection = assertThrows(HandshakeRejection.class, tooMany::request);
        assertThat(rejection.status()).isEqualTo(431);
    }

    @ParameterizedTest(name = "RELIABILITY H3: {0} headers with a head limit large enough → 431 for the count (CVE-2024-37890)")
    @ValueSource(ints = {2_000, 10_000})
    void thousandsOfHeadersAreRefusedByCount(int count) {
        HttpHeadParser parser = new HttpHeadParser(HttpLimits.defaults().withMaxHeadBytes(1 << 20));
        HandshakeRejection rejection = assertThrows(HandshakeRejection.class, () -> {
            assertThat(parser.feed(ascii(headWithHeaders(count)))).isTrue();
            parser.request();
        });
        assertThat(rejection.status()).isEqualTo(431);
        assertThat(rejection.getMessage()).contains("100");
    }

    @Test
    @DisplayName("RELIABILITY H3: 2,000 headers with the default limits → 431, nothing else escapes")
    void thousandsOfHeadersWithDefaultLimits() {
        HttpHeadParser parser = new HttpHeadParser(HttpLimits.defaults());
        HandshakeRejection rejection = assertThrows(HandshakeRejection.class, () -> {
            parser.feed(ascii(headWithHeaders(2_000)));
            parser.request();
        });
        assertThat(rejection.status()).isEqualTo(431);
    }

    private static String headWithHeaders(int count) {
        StringBuilder b = new StringBuilder("GET / HTTP/1.1\r\n");
        for (int i = 0; i < count; i++) {
            b.append("X-H").append(i).append(": v\r\n");
        }
        return b.append("\r\n").toString();
    }

    @Test
    @DisplayName("RELIABILITY H2: a 1 MiB header line in 1-byte chunks fails with 431 at the limit (CVE-2023-43669)")
    void megabyteHeaderLineInOneByteChunksFailsAtTheLimit() {
        assertFailsAtTheHeadLimit(1);
    }

    @Test
    @DisplayName("RELIABILITY H2: a 1 MiB header line in 1 KiB chunks fails with 431 at the limit (CVE-2023-43669)")
    void megabyteHeaderLineInKilobyteChunksFailsAtTheLimit() {
        assertFailsAtTheHeadLimit(1024);
    }

    private static void assertFailsAtTheHeadLimit(int chunk) {
        byte[] head = ("GET / HTTP/1.1\r\nX-Big: " + "x".repeat(1 << 20) + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
        HttpHeadParser parser = new HttpHeadParser(HttpLimits.defaults());
        long[] consumed = {0};
        HandshakeRejection rejection = Assertions.assertTimeoutPreemptively(Duration.ofSeconds(5), () -> assertThrows(HandshakeRejection.class, () -> {
            for (int at = 0; at < head.length; at += chunk) {
                ByteBuffer in = ByteBuffer.wrap(head, at, Math.min(chunk, head.length - at));
                try {
                    assertThat(parser.feed(in)).isFalse();
                } finally {
                    consumed[0] = in.position();
                }
            }
        }));
        assertThat(rejection.status()).isEqualTo(431);
        assertThat(consumed[0]).as("the byte past the limit is the last one read")
                .isEqualTo(HttpLimits.defaults().maxHeadBytes() + 1);
    }

    @Test
    @DisplayName("Linear cost: a 4 MiB head fed a byte at a time parses within seconds when the limit allows it")
    void parsingIsLinearInTheInput() throws Exception {
        byte[] head = ("GET / HTTP/1.1\r\nX-Big: " + "x".repeat(4 << 20) + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
        HttpHeadParser parser = new HttpHeadParser(HttpLimits.defaults().withMaxHeadBytes(8 << 20));
        HttpRequest request = Assertions.assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            ByteBuffer one = ByteBuffer.wrap(head);
            for (int at = 0; at < head.length; at++) {
                one.limit(at + 1).position(at);
                parser.feed(one);
            }
            return parser.request();
        });
        assertThat(request.headers().first("X-Big")).hasSize(4 << 20);
    }

    @Test
    @DisplayName("A bare LF inside the head → 400")
    void bareLfIs400() {
        assertThat(rejectParse("GET / HTTP/1.1\nHost: a\r\n\r\n").status()).isEqualTo(400);
        assertThat(rejectParse("GET / HTTP/1.1\r\nHost: a\nX: b\r\n\r\n").status()).isEqualTo(400);
    }

    @Test
    void bareCrIs400() {
        assertThat(rejectParse("GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n").status()).isEqualTo(400);
    }

    @Test
    @DisplayName("A head terminated by bare LFs never completes; it ends at the size limit")
    void lfOnlyHeadRunsIntoTheLimit() {
        HttpHeadParser parser = new HttpHeadParser(HttpLimits.defaults().withMaxHeadBytes(128));
        String lfOnly = "GET / HTTP/1.1\nHost: a\n\n";
        Assertions.assertDoesNotThrow(() -> assertThat(parser.feed(ascii(lfOnly))).isFalse());
        HandshakeRejection rejection = assertThrows(HandshakeRejection.class, () -> parser.feed(ascii("x".repeat(200))));
        assertThat(rejection.status()).isEqualTo(431);
    }

    @Test
    @DisplayName("Folded (obs-fold) header lines → 400 (RFC 9112 §5.2)")
    void foldedLinesAre400() {
        assertThat(rejectParse("GET / HTTP/1.1\r\nX-A: one\r\n two\r\n\r\n").status()).isEqualTo(400);
        assertThat(rejectParse("GET / HTTP/1.1\r\nX-A: one\r\n\ttwo\r\n\r\n").status()).isEqualTo(400);
    }

    @Test
    void nulIs400() {
        assertThat(rejectParse("GET / HTTP/1.1\r\nX-A: a\0b\r\n\r\n").status()).isEqualTo(400);
        assertThat(rejectParse("GET /\0 HTTP/1.1\r\n\r\n").status()).isEqualTo(400);
    }

    @ParameterizedTest(name = "header line \"{0}\" → 400")
    @ValueSource(strings = {"NoColon", ": empty name", "Bad Name: v", "Host : a", "X(y): z", "\u00e9: v"})
    void malformedHeaderLineIs400(String line) {
        assertThat(rejectParse("GET / HTTP/1.1\r\n" + line + "\r\n\r\n").status()).isEqualTo(400);
    }

    @ParameterizedTest(name = "request line \"{0}\" → 400")
    @ValueSource(strings = {"GET /", "GET  / HTTP/1.1", "GET / HTTP/1.1 extra", " GET / HTTP/1.1", "G(T / HTTP/1.1",
            "GET / FTP/1.1", "GET /"})
    void malformedRequestLineIs400(String line) {
        assertThat(rejectParse(line + "\r\nHost: a\r\n\r\n").status()).isEqualTo(400);
    }

    @Test
    void emptyRequestLineIs400() {
        assertThat(rejectParse("\r\n\r\n").status()).isEqualTo(400);
    }

    @Test
    void headerValuesMayHoldObsTextAndColons() throws Exception {
        HttpRequest request = parse("GET / HTTP/1.1\r\nOrigin: http://example.com:8080\r\nX-Latin: caf\u00e9\r\n\r\n");
        assertThat(request.headers().first("Origin")).isEqualTo("http://example.com:8080");
        assertThat(request.headers().first("X-Latin")).isEqualTo("caf\u00e9");
    }

    @Test
    void headersKeepTheirOrderAndDuplicates() throws Exception {
        HttpHeaders headers = parse("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\na: 3\r\n\r\n").headers();
        assertThat(headers.all("A")).containsExactly("1", "3");
        assertThat(headers.count("a")).isEqualTo(2);
        assertThat(headers.contains("b")).isTrue();
        assertThat(headers.hasToken("A", "3")).isTrue();
    }

    @Test
    void httpLimitsRefuseAbsurdValues() {
        Assertions.assertThrows(IllegalArgumentException.class, () -> new HttpLimits(10, 16, 1));
        Assertions.assertThrows(IllegalArgumentException.class, () -> new HttpLimits(64, 8, 1));
        Assertions.assertThrows(IllegalArgumentException.class, () -> new HttpLimits(64, 16, 0));
    }
}

package dev.duplex.interop;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.duplex.conformance.ConformanceLimits;
import dev.duplex.interop.Recorder.Event;
import dev.duplex.interop.Recorder.Kind;
import dev.duplex.protocol.handshake.HandshakeException;
import dev.duplex.websocket.WebSocket;
import dev.duplex.websocket.WebSocketClient;
import dev.duplex.websocket.WebSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Node's {@code ws} as a SERVER ({@code node/server.mjs}) and our {@code WebSocketClient} as the
 * client. Every scenario runs against three ws servers: {@code perMessageDeflate: false},
 * {@code perMessageDeflate: true}, and ws's default (which is off for servers in ws 8). Our
 * client offers no extension, so none is ever agreed.
 */
class NodeWsServerInteropTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final AtomicInteger IDS = new AtomicInteger();

    /** How the ws server is configured. */
    enum Deflate {
        OFF("false"), ON("true"), WS_DEFAULT("default");

        final String arg;

        Deflate(String arg) {
            this.arg = arg;
        }
    }

    /** One running ws server. */
    record Peer(NodeProcess process, int port) {
    }

    private static final Map<Deflate, Peer> peers = new EnumMap<>(Deflate.class);
    private static WebSocketClient client;
    private final List<WebSocket> opened = new ArrayList<>();

    @BeforeAll
    static void start() {
        NodePeers.Setup node = NodePeers.require();
        for (Deflate mode : Deflate.values()) {
            NodeProcess p = NodeProcess.start(node, "server.mjs", "--per-message-deflate=" + mode.arg);
            peers.put(mode, new Peer(p, -1));
            String first = p.nextLine(TIMEOUT);
            assertThat(first).as("the first line of %s is its port", p).matches("\\d+");
            peers.put(mode, new Peer(p, Integer.parseInt(first)));
        }
        client = WebSocketClient.builder()
                .options(WebSocketOptions.defaults().withMaxMessageBytes(ConformanceLimits.AUTOBAHN_MESSAGE_BYTES).withMaxFragments(ConformanceLimits.AUTOBAHN_FRAGMENTS).withMaxQueuedBytes(ConformanceLimits.AUTOBAHN_QUEUE_BYTES))
                .build();
    }

    @AfterAll
    static void stop() {
        try {
            if (client != null) {
                client.close();
            }
        } finally {
            peers.values().forEach(peer -> peer.process().close());
            peers.clear();
        }
    }

    @AfterEach
    void abortConnections() {
        for (WebSocket ws : opened) {
            if (!ws.isClosed()) {
                ws.abort();
            }
        }
    }

    // ---------------------------------------------------------------- messages

    @ParameterizedTest
    @EnumSource(Deflate.class)
    void textMessagesIncludingNonAsciiAndEmojiAreEchoed(Deflate mode) throws Exception {
        Connection c = connect(mode, "/echo");
        List<String> texts = List.of("hello", "h\u00e9llo w\u00f6rld", "\u0395\u03bb\u03bb\u03b7\u03bd\u03b9\u03ba\u03ac \u65e5\u672c\u8a9e",
                "emoji \uD83D\uDE00\uD83C\uDF89\uD83D\uDC4D\uD83C\uDFFD", "", "x".repeat(70_000));
        for (String t : texts) {
            assertThat(c.ws.sendText(t)).isTrue();
        }
        for (String t : texts) {
            assertThat(c.rec.expect(Kind.TEXT, TIMEOUT).text()).isEqualTo(t);
        }
        closeNormally(c);
    }

    @ParameterizedTest
    @EnumSource(Deflate.class)
    void binaryMessagesOfEveryLengthEncodingAreEchoed(Deflate mode) throws Exception {
        Connection c = connect(mode, "/echo");
        int[] sizes = {0, 1, 125, 126, 127, 65_535, 65_536, 65_537, 1 << 20};
        for (int n : sizes) {
            assertThat(c.ws.sendBinary(ByteBuffer.wrap(Patterns.binary(n)))).isTrue();
        }
        for (int n : sizes) {
            JdkClientInteropTest.assertSameBytes(c.rec.expect(Kind.BINARY, TIMEOUT).bytes(), Patterns.binary(n));
        }
        closeNormally(c);
    }

    @ParameterizedTest
    @EnumSource(Deflate.class)
    void fragmentedSendsAreReassembledByWs(Deflate mode) throws Exception {
        Connection c = connect(mode, "/echo");
        c.ws.sendPart(true, utf8("Hel"), false);
        c.ws.sendPart(true, utf8("lo, "), false);
        c.ws.ping(utf8("mid-message"));
        c.ws.sendPart(true, utf8("w\u00f6rld"), true);
        // U+1F600 split in the middle of its 4 UTF-8 bytes.
        c.ws.sendPart(true, ByteBuffer.wrap(new byte[] {(byte) 0xF0, (byte) 0x9F}), false);
        c.ws.sendPart(true, ByteBuffer.wrap(new byte[] {(byte) 0x98, (byte) 0x80, '!'}), true);
        c.ws.sendPart(false, ByteBuffer.wrap(new byte[] {1, 2, 3}), false);
        c.ws.sendPart(false, ByteBuffer.wrap(new byte[] {4, 5}), true);
        byte[] whole = Patterns.binary(100_000);
        for (int i = 0; i < 1000; i++) {
            assertThat(c.ws.sendPart(false, ByteBuffer.wrap(whole, i * 100, 100), i == 999)).isTrue();
        }

        assertThat(c.rec.expect(Kind.PONG, TIMEOUT).payloadText()).isEqualTo("mid-message");
        assertThat(c.rec.expect(Kind.TEXT, TIMEOUT).text()).isEqualTo("Hello, w\u00f6rld");
        assertThat(c.rec.expect(Kind.TEXT, TIMEOUT).text()).isEqualTo("\uD83D\uDE00!");
        assertThat(c.rec.expect(Kind.BINARY, TIMEOUT).bytes()).containsExactly(1, 2, 3, 4, 5);
        JdkClientInteropTest.assertSameBytes(c.rec.expect(Kind.BINARY, TIMEOUT).bytes(), whole);
        closeNormally(c);
    }

    @ParameterizedTest
    @EnumSource(Deflate.class)
    void fragmentedMessagesFromWsAreReassembled(Deflate mode) throws Exception {
        Connection c = connect(mode, "/fragmented");
        assertThat(c.rec.expect(Kind.PING, TIMEOUT).payloadText()).as("ping between fragments").isEqualTo("between-fragments");
        assertThat(c.rec.expect(Kind.TEXT, TIMEOUT).text()).isEqualTo("Hello w\u00f6rld \uD83D\uDE00");
        assertThat(c.rec.expect(Kind.TEXT, TIMEOUT).text()).as("a 4-byte character split between fragments")
                .isEqualTo("\uD83D\uDE00!");
        assertThat(c.rec.expect(Kind.BINARY, TIMEOUT).bytes()).containsExactly(1, 2, 3, 4, 5);
        JdkClientInteropTest.assertSameBytes(c.rec.expect(Kind.BINARY, TIMEOUT).bytes(), Patterns.binary(100_000));
        assertThat(c.rec.expect(Kind.TEXT, TIMEOUT).text()).isEqualTo("{\"done\":true}");
        closeNormally(c);
    }

    @ParameterizedTest
    @EnumSource(Deflate.class)
    void sixteenMebibyteMessagesGoBothWaysIntact(Deflate mode) throws Exception {
        Connection c = connect(mode, "/echo");
        byte[] binary = Patterns.binary(Patterns.MIB_16);
        String text = Patterns.text(Patterns.MIB_16 / 16);

        assertThat(c.ws.sendBinary(ByteBuffer.wrap(binary))).isTrue();
        Map<String, Object> seen = serverEvent(mode, c.id, "message");
        assertThat(seen.get("length")).as("what ws received").isEqualTo((long) Patterns.MIB_16);
        assertThat(seen.get("sha256")).as("what ws received").isEqualTo(Patterns.sha256(binary));
        Event echo = c.rec.expect(Kind.BINARY, TIMEOUT);
        assertThat(echo.bytes().length).isEqualTo(Patterns.MIB_16);
        assertThat(Patterns.sha256(echo.bytes())).isEqualTo(Patterns.sha256(binary));

        assertThat(c.ws.sendText(text)).isTrue();
        seen = serverEvent(mode, c.id, "message");
        assertThat(seen.get("binary")).isEqualTo(false);
        assertThat(seen.get("sha256")).as("what ws received").isEqualTo(Patterns.sha256(text));
        Event textEcho = c.rec.expect(Kind.TEXT, TIMEOUT);
        assertThat(textEcho.text().length()).isEqualTo(text.length());
        assertThat(Patterns.sha256(textEcho.text())).isEqualTo(Patterns.sha256(text));
        closeNormally(c);
    }

    @ParameterizedTest
    @EnumSource(Deflate.class)
    void sixteenMebibyteMessagesFromWsArriveIntact(Deflate mode) throws Exception {
        Connection c = connect(mode, "/large");
        Event binary = c.rec.expect(Kind.BINARY, TIMEOUT);
        assertThat(binary.bytes().length).isEqualTo(Patterns.MIB_16);
        assertThat(Patterns.sha256(binary.bytes())).isEqualTo(Patterns.sha256(Patterns.binary(Patterns.MIB_16)));
        Event text = c.rec.expect(Kind.TEXT, TIMEOUT);
        assertThat(Patterns.sha256(text.text())).isEqualTo(Patterns.sha256(Patterns.text(Patterns.MIB_16 / 16)));
        closeNormally(c);
    }

    // ---------------------------------------------------------------- control frames

    @ParameterizedTest
    @EnumSource(Deflate.class)
    void pingsAreAnsweredWithPongsOfTheSamePayload(Deflate mode) throws Exception {
        Connection c = connect(mode, "/echo");
        for (String payload : List.of("hello-ping", "", "p".repeat(125))) {
            assertThat(c.ws.ping(utf8(payload))).isTrue();
            assertThat(c.rec.expect(Kind.PONG, TIMEOUT).payloadText()).isEqualTo(payload);
        }
        closeNormally(c);
    }

    @ParameterizedTest
    @EnumSource(Deflate.class)
    void pingFromWsIsAnswered(Deflate mode) throws Exception {
        Connection c = connect(mode, "/ping");
        assertThat(c.rec.expect(Kind.PING, TIMEOUT).payloadText()).isEqualTo("ws-server-ping");
        assertThat(c.rec.expect(Kind.TEXT, TIMEOUT).text()).as("ws reports the pong it got")
                .isEqualTo("{\"pong\":\"ws-server-ping\"}");
        closeNormally(c);
    }

    @ParameterizedTest
    @EnumSource(Deflate.class)
    void clientInitiatedClose1000(Deflate mode) throws Exception {
        clientInitiatedClose(mode, 1000, null);
    }

    @ParameterizedTest
    @EnumSource(Deflate.class)
    void clientInitiatedClose4000WithReason(Deflate mode) throws Exception {
        clientInitiatedClose(mode, 4000, "client says bye");
    }

    private void clientInitiatedClose(Deflate mode, int code, String reason) throws Exception {
        Connection c = connect(mode, "/echo");
        c.ws.sendText("before close");
        assertThat(c.rec.expect(Kind.TEXT, TIMEOUT).text()).isEqualTo("before close");
        c.ws.close(code, reason);
        Event close = c.rec.expect(Kind.CLOSE, TIMEOUT);
        assertThat(close.code()).as("code of the close handshake").isEqualTo(code);
        Map<String, Object> seen = serverEvent(mode, c.id, "close");
        assertThat(seen.get("code")).as("code ws received").isEqualTo((long) code);
        assertThat(seen.get("reason")).as("reason ws received").isEqualTo(reason == null ? "" : reason);
    }

    @ParameterizedTest
    @EnumSource(Deflate.class)
    void serverInitiatedClose4001(Deflate mode) throws Exception {
        Connection c = connect(mode, "/close4001");
        Event close = c.rec.await(Kind.CLOSE, TIMEOUT);
        assertThat(close.code()).isEqualTo(4001);
        assertThat(close.reason()).isEqualTo("bye");
        assertThat(c.rec.taken()).extracting(Event::kind).doesNotContain(Kind.ERROR);
        Map<String, Object> seen = serverEvent(mode, c.id, "close");
        assertThat(seen.get("code")).as("code of the close handshake on ws's side").isEqualTo(4001L);
    }

    // ---------------------------------------------------------------- handshake

    @ParameterizedTest
    @EnumSource(Deflate.class)
    void subprotocolIsNegotiated(Deflate mode) throws Exception {
        Connection c = connect(mode, "/subprotocol", "chat.v2", "chat.v1");
        assertThat(c.ws.subprotocol()).isEqualTo("chat.v1");
        assertThat(serverEvent(mode, c.id, "connection").get("protocol")).isEqualTo("chat.v1");
        closeNormally(c);

        Connection none = connect(mode, "/subprotocol", "other");
        assertThat(none.ws.subprotocol()).as("ws agreed to none of ours").isNull();
        closeNormally(none);
    }

    @ParameterizedTest
    @EnumSource(Deflate.class)
    void noExtensionIsOfferedOrAgreed(Deflate mode) throws Exception {
        Connection c = connect(mode, "/echo");
        Map<String, Object> seen = serverEvent(mode, c.id, "connection");
        assertThat(seen.get("offeredExtensions")).isEqualTo("");
        assertThat(seen.get("extensions")).isEqualTo("");
        // Highly compressible data flows uncompressed.
        String text = "a".repeat(1 << 20);
        c.ws.sendText(text);
        assertThat(c.rec.expect(Kind.TEXT, TIMEOUT).text()).isEqualTo(text);
        closeNormally(c);
    }

    @ParameterizedTest
    @EnumSource(Deflate.class)
    void refusedHandshakeFailsTheConnectWith404(Deflate mode) {
        Recorder rec = new Recorder();
        Throwable thrown = catchThrowable(() -> client.connect(URI.create(url(mode, "/missing", "404")), rec)
                .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        assertThat(thrown).isInstanceOf(ExecutionException.class);
        assertThat(thrown.getCause()).isInstanceOf(HandshakeException.class);
        assertThat(((HandshakeException) thrown.getCause()).status()).isEqualTo(404);
    }

    // ---------------------------------------------------------------- helpers

    /** One connection of our client, with its id (the ws server reports events with it). */
    private record Connection(WebSocket ws, Recorder rec, String id) {
    }

    private Connection connect(Deflate mode, String path, String... subprotocols) throws Exception {
        String id = "c" + IDS.incrementAndGet();
        Recorder rec = new Recorder();
        WebSocket ws = client.connect(URI.create(url(mode, path, id)), List.of(subprotocols), Map.of(), rec).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        opened.add(ws);
        rec.expect(Kind.OPEN, TIMEOUT);
        return new Connection(ws, rec, id);
    }

    private static String url(Deflate mode, String path, String id) {
        return "ws://127.0.0.1:" + peers.get(mode).port() + path + "?id=" + id;
    }

    /** The next event {@code name} the ws server reports for connection {@code id}. */
    private static Map<String, Object> serverEvent(Deflate mode, String id, String name) {
        return peers.get(mode).process().awaitEvent(
                e -> name.equals(e.get("event")) && id.equals(e.get("id")), "'" + name + "' of " + id, TIMEOUT);
    }

    private static void closeNormally(Connection c) {
        c.ws.close(1000, "done");
        assertThat(c.rec.await(Kind.CLOSE, TIMEOUT).code()).isEqualTo(1000);
    }

    private static ByteBuffer utf8(String s) {
        return ByteBuffer.wrap(s.getBytes(UTF_8));
    }
}

package dev.duplex.interop;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import dev.duplex.conformance.ConformanceLimits;
import dev.duplex.interop.Recorder.Event;
import dev.duplex.interop.Recorder.Kind;
import dev.duplex.protocol.extension.deflate.DeflateOptions;
import dev.duplex.websocket.WebSocket;
import dev.duplex.websocket.WebSocketClient;
import dev.duplex.websocket.WebSocketListener;
import dev.duplex.websocket.WebSocketOptions;
import dev.duplex.websocket.WebSocketServer;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * permessage-deflate (RFC 7692) against Node's {@code ws}, both ways: {@code ws} as a CLIENT
 * ({@code node/client.mjs --deflate JSON}) against our {@link WebSocketServer}, and {@code ws} as a
 * SERVER ({@code node/server.mjs --per-message-deflate=JSON}) for our {@link WebSocketClient}.
 *
 * <p>Every configuration checks what was agreed (the 101 response's parameters, as the peer saw
 * them), that every message comes back byte-exact, and, from the TCP byte counters the Node
 * scripts report, that compression really happened on the wire in each direction: a 16 MiB
 * compressible message costs far less than 16 MiB, 200 messages sharing 200 random bytes (so the
 * previous message lies within even an 8-bit window) cost a few bytes each exactly when context takeover was agreed for that direction, and
 * {@code send*Uncompressed} goes out at full size.
 *
 * <p>Small windows are a real test here: {@code ws} inflates with exactly the agreed window
 * ({@code zlib.createInflateRaw({windowBits})}), so a back-reference of ours beyond it fails the
 * connection on ws's side ("invalid distance too far back"). zlib only notices a reference that
 * reaches back across the 16 KiB output chunks Node inflates into (within one chunk it copies from
 * the output itself), so the messages whose repeats lie 2,000 and 3,000 bytes back are over 100 KB
 * long; with context takeover, every reference into an earlier message goes through the window.
 */
class NodeWsCompressionInteropTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final AtomicInteger IDS = new AtomicInteger();
    private static final String PMD = "permessage-deflate";
    private static final String SNCT = "server_no_context_takeover";
    private static final String CNCT = "client_no_context_takeover";
    /** Our server answers this text with 'u' x n as text and n zero bytes as binary, both sent uncompressed. */
    private static final String SEND_UNCOMPRESSED = "\u0000send-uncompressed:";
    private static final int UNCOMPRESSED_BYTES = 65_536;
    private static final int REPEATS = 200;
    /** The random bytes the {@link #REPEATS} messages share. */
    private static final int SHARED = 200;

    private static final DeflateOptions EVERY_MESSAGE = DeflateOptions.defaults().withThresholdBytes(0);
    private static final DeflateOptions TAKEOVER_BOTH_WAYS = EVERY_MESSAGE.withLocalContextTakeover(true).withPeerContextTakeover(true);

    /** {@code options} with permessage-deflate as {@code deflate} says (the cases are written in the engine's terms). */
    private static WebSocketOptions compress(WebSocketOptions options, DeflateOptions deflate) {
        return options.withCompression(true).withCompressionLevel(deflate.level())
                .withCompressionThresholdBytes(deflate.thresholdBytes())
                .withContextTakeover(deflate.localContextTakeover(), deflate.peerContextTakeover())
                .withMaxWindowBits(deflate.localMaxWindowBits(), deflate.peerMaxWindowBits());
    }

    private static NodePeers.Setup node;
    /** Our server with the default compression options (no context takeover either way), every message compressed. */
    private static WebSocketServer standard;
    /** Our server that allows context takeover both ways. */
    private static WebSocketServer takeover;
    /** Our server with compression and 1 MiB messages at most. */
    private static WebSocketServer small;
    private static final BlockingQueue<InteropServer.ServerClose> serverCloses = new LinkedBlockingQueue<>();

    private final List<NodeProcess> processes = new ArrayList<>();
    private final List<WebSocketClient> clients = new ArrayList<>();
    private final List<WebSocket> opened = new ArrayList<>();

    @BeforeAll
    static void start() {
        node = NodePeers.require();
        WebSocketOptions big = WebSocketOptions.defaults().withMaxMessageBytes(ConformanceLimits.AUTOBAHN_MESSAGE_BYTES).withMaxFragments(ConformanceLimits.AUTOBAHN_FRAGMENTS).withMaxQueuedBytes(ConformanceLimits.AUTOBAHN_QUEUE_BYTES);
        standard = server(compress(big, EVERY_MESSAGE));
        takeover = server(compress(big, TAKEOVER_BOTH_WAYS));
        small = server(compress(WebSocketOptions.defaults().withMaxMessageBytes(1 << 20), EVERY_MESSAGE));
    }

    private static WebSocketServer server(WebSocketOptions options) {
        return WebSocketServer.builder().options(options).route("/deflate", new DeflateEcho()).startOnLoopback(0);
    }

    @AfterAll
    static void stop() {
        for (WebSocketServer s : new WebSocketServer[] {standard, takeover, small}) {
            if (s != null) {
                s.close(Duration.ofSeconds(2));
            }
        }
    }

    @BeforeEach
    void forgetCloses() {
        serverCloses.clear();
    }

    @AfterEach
    void endEverything() {
        for (WebSocket ws : opened) {
            if (!ws.isClosed()) {
                ws.abort();
            }
        }
        clients.forEach(WebSocketClient::close);
        processes.forEach(NodeProcess::close);
    }

    /** Echo, plus {@link #SEND_UNCOMPRESSED}; records every close. */
    private static final class DeflateEcho implements WebSocketListener {
        @Override
        public void onText(WebSocket ws, String text) {
            if (text.startsWith(SEND_UNCOMPRESSED)) {
                int n = Integer.parseInt(text.substring(SEND_UNCOMPRESSED.length()));
                ws.sendTextUncompressed("u".repeat(n));
                ws.sendBinaryUncompressed(ByteBuffer.allocate(n));
            } else {
                ws.sendText(text);
            }
        }

        @Override
        public void onBinary(WebSocket ws, ByteBuffer data) {
            ws.sendBinary(data);
        }

        @Override
        public void onMessagePart(WebSocket ws, boolean text, ByteBuffer part, boolean last) {
            ws.sendPart(text, part, last);
        }

        @Override
        public void onClose(WebSocket ws, int code, String reason) {
            serverCloses.add(new InteropServer.ServerClose(ws.path(), code, reason));
        }
    }

    // ================================================================ ws CLIENT -> our SERVER

    /** One ws client configuration, the server it talks to, and the parameters our server must answer with. */
    record WsClientCase(String name, String wsDeflate, boolean takeoverServer, Set<String> agreed) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<WsClientCase> wsClients() {
        return Stream.of(
                new WsClientCase("ws defaults", "{\"threshold\":0}", false, Set.of(SNCT, CNCT)),
                new WsClientCase("ws serverNoContextTakeover", "{\"threshold\":0,\"serverNoContextTakeover\":true}", false,
                        Set.of(SNCT, CNCT)),
                new WsClientCase("ws clientNoContextTakeover", "{\"threshold\":0,\"clientNoContextTakeover\":true}", false,
                        Set.of(SNCT, CNCT)),
                new WsClientCase("ws serverMaxWindowBits 8", "{\"threshold\":0,\"serverMaxWindowBits\":8}", false,
                        Set.of(SNCT, CNCT, "server_max_window_bits=8")),
                new WsClientCase("ws serverMaxWindowBits 9", "{\"threshold\":0,\"serverMaxWindowBits\":9}", false,
                        Set.of(SNCT, CNCT, "server_max_window_bits=9")),
                new WsClientCase("ws serverMaxWindowBits 10", "{\"threshold\":0,\"serverMaxWindowBits\":10}", false,
                        Set.of(SNCT, CNCT, "server_max_window_bits=10")),
                new WsClientCase("ws serverMaxWindowBits 12", "{\"threshold\":0,\"serverMaxWindowBits\":12}", false,
                        Set.of(SNCT, CNCT, "server_max_window_bits=12")),
                new WsClientCase("ws clientMaxWindowBits 9", "{\"threshold\":0,\"clientMaxWindowBits\":9}", false,
                        Set.of(SNCT, CNCT, "client_max_window_bits=9")),
                new WsClientCase("ws clientMaxWindowBits true", "{\"threshold\":0,\"clientMaxWindowBits\":true}", false,
                        Set.of(SNCT, CNCT)),
                new WsClientCase("context takeover both ways", "{\"threshold\":0}", true, Set.of()),
                new WsClientCase("context takeover both ways, 9-bit windows",
                        "{\"threshold\":0,\"serverMaxWindowBits\":9,\"clientMaxWindowBits\":9}", true,
                        Set.of("server_max_window_bits=9", "client_max_window_bits=9")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("wsClients")
    void wsClientMessagesAreEchoedCompressedByOurServer(WsClientCase c) {
        WebSocketServer server = c.takeoverServer() ? takeover : standard;
        NodeProcess p = startClient(server, "deflate-suite", c.wsDeflate());
        List<Map<String, Object>> events = p.eventsUntilDone(Duration.ofSeconds(60));
        assertThat(all(events, "error")).as("errors reported by ws; " + p.diagnostics()).isEmpty();
        assertThat(all(events, "timeout")).as("scenario timed out; " + p.diagnostics()).isEmpty();

        Map<String, Object> open = the(events, "open");
        assertThat(open.get("extensions")).isEqualTo(PMD);
        Set<String> agreed = deflateParams((String) open.get("responseExtensions"));
        assertThat(agreed).as("parameters of our server's 101 response").isEqualTo(c.agreed());

        Map<String, Phase> phases = phases(events);
        assertThat(phases.keySet()).containsExactly("text", "binary", "random", "fragmented", "repeat", "large", "uncompressed");
        for (Phase ph : phases.values()) {
            if (ph.name.equals("uncompressed")) {
                continue;
            }
            assertThat(ph.received).as("echoes in phase %s", ph.name).hasSameSizeAs(ph.sent);
            for (int i = 0; i < ph.sent.size(); i++) {
                Map<String, Object> sent = ph.sent.get(i);
                Map<String, Object> echo = ph.received.get(i);
                assertThat(echo.get("binary")).as("%s #%d: binary", ph.name, i).isEqualTo(sent.get("binary"));
                assertThat(echo.get("length")).as("%s #%d: length", ph.name, i).isEqualTo(sent.get("length"));
                assertThat(echo.get("sha256")).as("%s #%d: sha256", ph.name, i).isEqualTo(sent.get("sha256"));
            }
        }
        assertThat(phases.get("text").received).extracting(m -> m.get("text"))
                .startsWith("hello").endsWith("", "x");
        assertThat(phases.get("binary").received).hasSize(9);
        assertThat(all(events, "pong")).extracting(e -> e.get("data")).as("pong to the ping between fragments")
                .containsExactly("mid-message");

        // The wire: ws's byte counters, "read" is what our server sent, "written" what ws sent.
        Phase large = phases.get("large");
        assertThat(large.read).as("bytes of our server's 16 MiB echo on the wire (compressed)").isLessThan(Patterns.MIB_16 / 8);
        assertThat(large.written).as("bytes of ws's 16 MiB message on the wire (compressed)").isLessThan(Patterns.MIB_16 / 8);
        assertContextTakeover(phases.get("repeat"), !agreed.contains(SNCT), !agreed.contains(CNCT));

        Phase uncompressed = phases.get("uncompressed");
        assertThat(uncompressed.received).hasSize(2);
        assertThat(uncompressed.received.get(0).get("binary")).isEqualTo(false);
        assertThat(uncompressed.received.get(0).get("sha256")).isEqualTo(Patterns.sha256("u".repeat(UNCOMPRESSED_BYTES)));
        assertThat(uncompressed.received.get(1).get("binary")).isEqualTo(true);
        assertThat(uncompressed.received.get(1).get("sha256")).isEqualTo(Patterns.sha256(new byte[UNCOMPRESSED_BYTES]));
        assertThat(uncompressed.read).as("sendTextUncompressed + sendBinaryUncompressed go out at full size")
                .isGreaterThanOrEqualTo(2L * UNCOMPRESSED_BYTES);

        assertThat(the(events, "close").get("code")).isEqualTo(1000L);
    }

    /**
     * 200 messages sharing 200 random bytes: with context takeover in a direction each costs a few
     * bytes on the wire (a back-reference into the previous message), without it over 200.
     * {@code read} is what was sent to the ws peer, {@code written} what the ws peer sent.
     */
    private static void assertContextTakeover(Phase repeat, boolean takeoverToWs, boolean takeoverFromWs) {
        long plain = (long) REPEATS * SHARED;
        if (takeoverToWs) {
            assertThat(repeat.read).as("wire bytes of %d messages to ws, context takeover", REPEATS).isLessThan(plain / 4);
        } else {
            assertThat(repeat.read).as("wire bytes of %d messages to ws, no context takeover", REPEATS).isGreaterThan(plain);
        }
        if (takeoverFromWs) {
            assertThat(repeat.written).as("wire bytes of %d messages from ws, context takeover", REPEATS).isLessThan(plain / 4);
        } else {
            assertThat(repeat.written).as("wire bytes of %d messages from ws, no context takeover", REPEATS).isGreaterThan(plain);
        }
    }

    @Test
    void compressedBombIsStoppedAtTheMessageLimitWith1009() {
        // 64 MiB of zeros, compressed by ws to a few tens of KB, to a server with 1 MiB messages.
        NodeProcess p = startClient(small, "deflate-bomb", "{\"threshold\":0}");
        List<Map<String, Object>> events = p.eventsUntilDone(TIMEOUT);
        assertThat(the(events, "open").get("extensions")).isEqualTo(PMD);
        Map<String, Object> close = the(events, "close");
        assertThat(close.get("code")).as("close code ws got; " + p.diagnostics()).isEqualTo(1009L);
        assertThat((Long) close.get("wireWritten")).as("what the bomb cost on the wire").isLessThan(1L << 20);
        InteropServer.ServerClose seen = nextServerClose();
        assertThat(seen.code()).isEqualTo(1009);

        // The server is fine: another compressed client is echoed.
        NodeProcess second = startClient(small, "text", "{\"threshold\":0}");
        List<Map<String, Object>> more = second.eventsUntilDone(TIMEOUT);
        assertThat(all(more, "error")).as(second.diagnostics()).isEmpty();
        assertThat(the(more, "open").get("extensions")).isEqualTo(PMD);
        assertThat(all(more, "message")).extracting(m -> m.get("text")).containsExactly("hello", "h\u00e9llo w\u00f6rld",
                "\u0395\u03bb\u03bb\u03b7\u03bd\u03b9\u03ba\u03ac \u65e5\u672c\u8a9e",
                "emoji \uD83D\uDE00\uD83C\uDF89\uD83D\uDC4D\uD83C\uDFFD", "");
        assertThat(the(more, "close").get("code")).isEqualTo(1000L);
    }

    /**
     * ws configured with {@code clientNoContextTakeover: false} means "I will not accept
     * client_no_context_takeover" (ws's acceptAsClient throws 'Unexpected parameter
     * "client_no_context_takeover"'), while our server, by default, always answers with it (RFC
     * 7692 §7.1.1.2 lets a server do so whatever the client offered): the default keeps each
     * connection's inflater memory bounded. So ws fails the handshake itself ("Invalid
     * Sec-WebSocket-Extensions header", close 1006) and never opens. A server that allows the peer
     * context takeover does not send the parameter, and the same ws client gets through.
     */
    @Test
    void wsClientRefusingClientNoContextTakeoverCannotConnectToOurDefaultServer() {
        String json = "{\"threshold\":0,\"clientNoContextTakeover\":false}";
        NodeProcess p = startClient(standard, "open", json);
        List<Map<String, Object>> events = p.eventsUntilDone(TIMEOUT);
        assertThat(all(events, "open")).as("ws must not open; " + p.diagnostics()).isEmpty();
        assertThat(the(events, "error").get("message")).isEqualTo("Invalid Sec-WebSocket-Extensions header");
        assertThat(the(events, "close").get("code")).isEqualTo(1006L);

        NodeProcess accepted = startClient(takeover, "text", json);
        List<Map<String, Object>> more = accepted.eventsUntilDone(TIMEOUT);
        assertThat(all(more, "error")).as(accepted.diagnostics()).isEmpty();
        assertThat(deflateParams((String) the(more, "open").get("responseExtensions"))).isEmpty();
        assertThat(all(more, "message")).hasSize(5);
        assertThat(the(more, "close").get("code")).isEqualTo(1000L);
    }

    // ================================================================ our CLIENT -> ws SERVER

    /** One ws server configuration, our client's options, and the parameters ws must answer with. */
    record WsServerCase(String name, String wsDeflate, DeflateOptions ours, Set<String> agreed) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<WsServerCase> wsServers() {
        return Stream.of(
                new WsServerCase("ws defaults, our defaults", "{\"threshold\":0}", EVERY_MESSAGE, Set.of(SNCT, CNCT)),
                new WsServerCase("ws serverNoContextTakeover", "{\"threshold\":0,\"serverNoContextTakeover\":true}",
                        TAKEOVER_BOTH_WAYS, Set.of(SNCT)),
                new WsServerCase("ws clientNoContextTakeover", "{\"threshold\":0,\"clientNoContextTakeover\":true}",
                        TAKEOVER_BOTH_WAYS, Set.of(CNCT)),
                new WsServerCase("ws serverMaxWindowBits 10", "{\"threshold\":0,\"serverMaxWindowBits\":10}",
                        TAKEOVER_BOTH_WAYS, Set.of("server_max_window_bits=10")),
                new WsServerCase("ws clientMaxWindowBits 9", "{\"threshold\":0,\"clientMaxWindowBits\":9}",
                        TAKEOVER_BOTH_WAYS, Set.of("client_max_window_bits=9")),
                new WsServerCase("ws defaults, we ask peer 10 / local 9 bits, context takeover", "{\"threshold\":0}",
                        TAKEOVER_BOTH_WAYS.withPeerMaxWindowBits(10).withLocalMaxWindowBits(9),
                        Set.of("server_max_window_bits=10", "client_max_window_bits=9")),
                new WsServerCase("ws defaults, context takeover both ways", "{\"threshold\":0}", TAKEOVER_BOTH_WAYS, Set.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("wsServers")
    void ourClientMessagesAreEchoedCompressedByWs(WsServerCase c) throws Exception {
        NodeProcess server = NodeProcess.start(node, "server.mjs", "--per-message-deflate=" + c.wsDeflate());
        processes.add(server);
        String first = server.nextLine(TIMEOUT);
        assertThat(first).as("the first line of %s is its port", server).matches("\\d+");
        int port = Integer.parseInt(first);
        WebSocketClient client = WebSocketClient.builder()
                .options(compress(WebSocketOptions.defaults().withMaxMessageBytes(ConformanceLimits.AUTOBAHN_MESSAGE_BYTES).withMaxFragments(ConformanceLimits.AUTOBAHN_FRAGMENTS).withMaxQueuedBytes(ConformanceLimits.AUTOBAHN_QUEUE_BYTES), c.ours()))
                .build();
        clients.add(client);

        Conn conn = connect(client, server, port, "/echo");
        Map<String, Object> connection = serverEvent(conn, "connection");
        assertThat(connection.get("extensions")).isEqualTo(PMD);
        Set<String> agreed = deflateParams((String) connection.get("responseExtensions"));
        assertThat(agreed).as("parameters of ws's 101 response (offer: %s)", connection.get("offeredExtensions"))
                .isEqualTo(c.agreed());

        Random random = new Random(7692);
        List<Msg> messages = new ArrayList<>();
        for (String t : List.of("hello", "The quick brown fox jumps over the lazy dog. ".repeat(300),
                "h\u00e9llo w\u00f6rld \u0395\u03bb\u03bb\u03b7\u03bd\u03b9\u03ba\u03ac \u65e5\u672c\u8a9e ".repeat(50),
                "emoji \uD83D\uDE00\uD83C\uDF89\uD83D\uDC4D\uD83C\uDFFD ".repeat(100), "", "x")) {
            messages.add(Msg.text(t));
        }
        for (int n : new int[] {0, 1, 125, 126, 127, 65_535, 65_536, 65_537, 1 << 20}) {
            messages.add(Msg.binary(Patterns.binary(n)));
        }
        for (int n : new int[] {1, 100, 4096, 65_536, 1 << 20}) {
            messages.add(Msg.binary(randomBytes(random, n)));
        }
        // Repeats 2,000 and 3,000 bytes back, beyond a 9- or 10-bit window, in messages of over
        // 100 KB: zlib notices a reference beyond its window only when it reaches back across the
        // 16 KiB chunks Node inflates into.
        messages.add(Msg.binary(repeat(randomBytes(random, 2000), 64)));
        messages.add(Msg.text(HexFormat.of().formatHex(randomBytes(random, 1500)).repeat(40)));
        echo(conn, messages);

        // Fragmented sends, a ping between two fragments.
        conn.ws.sendPart(true, utf8("Hel"), false);
        conn.ws.sendPart(true, utf8("lo, "), false);
        conn.ws.ping(utf8("mid-message"));
        conn.ws.sendPart(true, utf8("w\u00f6rld"), true);
        conn.ws.sendPart(true, ByteBuffer.wrap(new byte[] {(byte) 0xF0, (byte) 0x9F}), false);
        conn.ws.sendPart(true, ByteBuffer.wrap(new byte[] {(byte) 0x98, (byte) 0x80, '!'}), true);
        byte[] whole = new byte[100_000];
        System.arraycopy(randomBytes(random, 50_000), 0, whole, 0, 50_000);
        System.arraycopy(Patterns.binary(50_000), 0, whole, 50_000, 50_000);
        for (int i = 0; i < 1000; i++) {
            assertThat(conn.ws.sendPart(false, ByteBuffer.wrap(whole, i * 100, 100), i == 999)).isTrue();
        }
        List<Msg> fragmented = List.of(Msg.text("Hello, w\u00f6rld"), Msg.text("\uD83D\uDE00!"), Msg.binary(whole));
        expectOnServer(conn, fragmented);
        expectEchoes(conn, fragmented);
        assertThat(conn.pongs).as("pong to the ping between fragments").containsExactly("mid-message");

        // 200 messages sharing 200 random bytes.
        byte[] shared = randomBytes(random, SHARED);
        List<Msg> repeats = new ArrayList<>();
        for (int i = 0; i < REPEATS; i++) {
            byte[] m = new byte[SHARED + Integer.toString(i).length()];
            System.arraycopy(shared, 0, m, 0, SHARED);
            System.arraycopy(Integer.toString(i).getBytes(UTF_8), 0, m, SHARED, m.length - SHARED);
            repeats.add(Msg.binary(m));
        }
        Wire before = probe(conn);
        echo(conn, repeats);
        Wire repeat = probe(conn).minus(before);
        // Here "read" is what ws read (our client's messages), "written" what ws sent (its echoes).
        boolean ourTakeover = c.ours().localContextTakeover() && !agreed.contains(CNCT);
        boolean wsTakeover = !agreed.contains(SNCT);
        long plain = (long) REPEATS * SHARED;
        if (ourTakeover) {
            assertThat(repeat.read).as("wire bytes of our %d messages, context takeover", REPEATS).isLessThan(plain / 4);
        } else {
            assertThat(repeat.read).as("wire bytes of our %d messages, no context takeover", REPEATS).isGreaterThan(plain);
        }
        if (wsTakeover) {
            assertThat(repeat.written).as("wire bytes of ws's %d echoes, context takeover", REPEATS).isLessThan(plain / 4);
        } else {
            assertThat(repeat.written).as("wire bytes of ws's %d echoes, no context takeover", REPEATS).isGreaterThan(plain);
        }

        // One 16 MiB compressible message.
        before = probe(conn);
        echo(conn, List.of(Msg.text(Patterns.text(Patterns.MIB_16 / 16))));
        Wire large = probe(conn).minus(before);
        assertThat(large.read).as("our 16 MiB message on the wire (compressed)").isLessThan(Patterns.MIB_16 / 8);
        assertThat(large.written).as("ws's 16 MiB echo on the wire (compressed)").isLessThan(Patterns.MIB_16 / 8);

        // send*Uncompressed: intact, and at full size on the wire.
        before = probe(conn);
        String u = "u".repeat(UNCOMPRESSED_BYTES);
        assertThat(conn.ws.sendTextUncompressed(u)).isTrue();
        assertThat(conn.ws.sendBinaryUncompressed(ByteBuffer.allocate(UNCOMPRESSED_BYTES))).isTrue();
        List<Msg> uncompressed = List.of(Msg.text(u), Msg.binary(new byte[UNCOMPRESSED_BYTES]));
        expectOnServer(conn, uncompressed);
        expectEchoes(conn, uncompressed);
        Wire plainWire = probe(conn).minus(before);
        assertThat(plainWire.read).as("our uncompressed sends on the wire").isGreaterThanOrEqualTo(2L * UNCOMPRESSED_BYTES);
        assertThat(plainWire.written).as("ws's echoes of them, compressed").isLessThan(UNCOMPRESSED_BYTES / 8);

        conn.ws.close(1000, "done");
        assertThat(conn.rec.await(Kind.CLOSE, TIMEOUT).code()).isEqualTo(1000);
        assertThat(serverEvent(conn, "close").get("code")).isEqualTo(1000L);

        // Fragmented messages from ws, compressed (a ping between two fragments).
        Conn frag = connect(client, server, port, "/fragmented");
        assertThat(conn.rec.taken()).extracting(Event::kind).doesNotContain(Kind.ERROR);
        List<Msg> fromWs = List.of(Msg.text("Hello w\u00f6rld \uD83D\uDE00"), Msg.text("\uD83D\uDE00!"),
                Msg.binary(new byte[] {1, 2, 3, 4, 5}), Msg.binary(Patterns.binary(100_000)), Msg.text("{\"done\":true}"));
        expectEchoes(frag, fromWs);
        assertThat(frag.pings).containsExactly("between-fragments");
        frag.ws.close(1000, "done");
        assertThat(frag.rec.await(Kind.CLOSE, TIMEOUT).code()).isEqualTo(1000);
        assertThat(frag.rec.taken()).extracting(Event::kind).doesNotContain(Kind.ERROR);
    }

    // ---------------------------------------------------------------- helpers: ws client

    private NodeProcess startClient(WebSocketServer server, String scenario, String wsDeflate) {
        String url = "ws://127.0.0.1:" + server.port() + "/deflate";
        NodeProcess p = NodeProcess.start(node, "client.mjs", url, scenario, "--deflate", wsDeflate);
        processes.add(p);
        return p;
    }

    /** The events of one deflate-suite phase. */
    private static final class Phase {
        final String name;
        final List<Map<String, Object>> sent = new ArrayList<>();
        final List<Map<String, Object>> received = new ArrayList<>();
        long read = -1;
        long written = -1;

        Phase(String name) {
            this.name = name;
        }
    }

    private static Map<String, Phase> phases(List<Map<String, Object>> events) {
        Map<String, Phase> phases = new LinkedHashMap<>();
        Phase current = null;
        for (Map<String, Object> e : events) {
            switch (String.valueOf(e.get("event"))) {
                case "phase" -> {
                    current = new Phase((String) e.get("name"));
                    phases.put(current.name, current);
                }
                case "sent" -> current.sent.add(e);
                case "message" -> current.received.add(e);
                case "wire" -> {
                    assertThat(e.get("phase")).isEqualTo(current.name);
                    current.read = (Long) e.get("read");
                    current.written = (Long) e.get("written");
                }
                default -> {
                }
            }
        }
        return phases;
    }

    private static InteropServer.ServerClose nextServerClose() {
        try {
            InteropServer.ServerClose c = serverCloses.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (c == null) {
                fail("Our server reported no close within " + TIMEOUT.toMillis() + " ms");
            }
            return c;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    // ---------------------------------------------------------------- helpers: ws server

    /** A message: text (with its string) or binary, and its bytes. */
    private record Msg(String text, byte[] bytes) {
        static Msg text(String t) {
            return new Msg(t, t.getBytes(UTF_8));
        }

        static Msg binary(byte[] b) {
            return new Msg(null, b);
        }

        boolean isText() {
            return text != null;
        }

        @Override
        public String toString() {
            return (isText() ? "text" : "binary") + " of " + bytes.length + " bytes";
        }
    }

    /** TCP bytes ws read and wrote on a connection. */
    private record Wire(long read, long written) {
        Wire minus(Wire other) {
            return new Wire(read - other.read, written - other.written);
        }
    }

    /** One connection of our client; pings and pongs set aside as they come. */
    private static final class Conn {
        final WebSocket ws;
        final Recorder rec;
        final String id;
        final NodeProcess server;
        final List<String> pings = new ArrayList<>();
        final List<String> pongs = new ArrayList<>();

        Conn(WebSocket ws, Recorder rec, String id, NodeProcess server) {
            this.ws = ws;
            this.rec = rec;
            this.id = id;
            this.server = server;
        }

        /** The next message event (TEXT or BINARY), setting pings and pongs aside. */
        Event nextMessage() {
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (true) {
                Event e = rec.next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
                switch (e.kind()) {
                    case PING -> pings.add(e.payloadText());
                    case PONG -> pongs.add(e.payloadText());
                    case TEXT, BINARY -> {
                        return e;
                    }
                    default -> fail("Expected a message but got " + e + "; events so far: " + rec.taken());
                }
            }
        }
    }

    private Conn connect(WebSocketClient client, NodeProcess server, int port, String path) throws Exception {
        String id = "c" + IDS.incrementAndGet();
        Recorder rec = new Recorder();
        WebSocket ws = client.connect(URI.create("ws://127.0.0.1:" + port + path + "?id=" + id), rec)
                .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        opened.add(ws);
        rec.expect(Kind.OPEN, TIMEOUT);
        return new Conn(ws, rec, id, server);
    }

    /** Sends every message; ws must receive each intact, and echo it back intact. */
    private static void echo(Conn c, List<Msg> messages) {
        for (Msg m : messages) {
            boolean queued = m.isText() ? c.ws.sendText(m.text()) : c.ws.sendBinary(ByteBuffer.wrap(m.bytes()));
            assertThat(queued).as("send of %s", m).isTrue();
        }
        expectOnServer(c, messages);
        expectEchoes(c, messages);
    }

    private static void expectOnServer(Conn c, List<Msg> messages) {
        for (int i = 0; i < messages.size(); i++) {
            Msg m = messages.get(i);
            Map<String, Object> seen = serverEvent(c, "message");
            assertThat(seen.get("binary")).as("#%d, %s: binary, as ws received it", i, m).isEqualTo(!m.isText());
            assertThat(seen.get("length")).as("#%d, %s: length, as ws received it", i, m).isEqualTo((long) m.bytes().length);
            assertThat(seen.get("sha256")).as("#%d, %s: sha256, as ws received it", i, m).isEqualTo(Patterns.sha256(m.bytes()));
        }
    }

    private static void expectEchoes(Conn c, List<Msg> messages) {
        for (int i = 0; i < messages.size(); i++) {
            Msg m = messages.get(i);
            Event e = c.nextMessage();
            if (m.isText()) {
                assertThat(e.kind()).as("#%d, %s", i, m).isEqualTo(Kind.TEXT);
                if (!e.text().equals(m.text())) {
                    fail("#" + i + ", " + m + ": the echo differs (" + e + ")");
                }
            } else {
                assertThat(e.kind()).as("#%d, %s", i, m).isEqualTo(Kind.BINARY);
                JdkClientInteropTest.assertSameBytes(e.bytes(), m.bytes());
            }
        }
    }

    /** Sends "probe" and returns ws's byte counters as of its arrival (the echo consumed). */
    private static Wire probe(Conn c) {
        assertThat(c.ws.sendText("probe")).isTrue();
        Map<String, Object> seen = serverEvent(c, "message");
        assertThat(seen.get("sha256")).as("the probe, as ws received it").isEqualTo(Patterns.sha256("probe"));
        expectEchoes(c, List.of(Msg.text("probe")));
        return new Wire((Long) seen.get("wireRead"), (Long) seen.get("wireWritten"));
    }

    /** The next event {@code name} the ws server reports for connection {@code c}. */
    private static Map<String, Object> serverEvent(Conn c, String name) {
        return c.server.awaitEvent(e -> name.equals(e.get("event")) && c.id.equals(e.get("id")),
                "'" + name + "' of " + c.id, TIMEOUT);
    }

    // ---------------------------------------------------------------- helpers: data

    /** The parameters of a single permessage-deflate element, e.g. [client_no_context_takeover, server_max_window_bits=10]. */
    static Set<String> deflateParams(String header) {
        assertThat(header).as("Sec-WebSocket-Extensions of the 101 response").isNotNull();
        assertThat(header.split(",")).as("one extension in '%s'", header).hasSize(1);
        String[] parts = header.split(";");
        assertThat(parts[0].trim().toLowerCase(Locale.ROOT)).as("extension in '%s'", header).isEqualTo(PMD);
        Set<String> params = new TreeSet<>();
        for (int i = 1; i < parts.length; i++) {
            String[] kv = parts[i].split("=", 2);
            String name = kv[0].trim().toLowerCase(Locale.ROOT);
            params.add(kv.length == 1 ? name : name + "=" + kv[1].trim().replace("\"", ""));
        }
        return params;
    }

    private static byte[] randomBytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static byte[] repeat(byte[] block, int times) {
        byte[] b = new byte[block.length * times];
        for (int i = 0; i < times; i++) {
            System.arraycopy(block, 0, b, i * block.length, block.length);
        }
        return b;
    }

    private static ByteBuffer utf8(String s) {
        return ByteBuffer.wrap(s.getBytes(UTF_8));
    }

    private static List<Map<String, Object>> all(List<Map<String, Object>> events, String name) {
        return events.stream().filter(e -> name.equals(e.get("event"))).toList();
    }

    private static Map<String, Object> the(List<Map<String, Object>> events, String name) {
        List<Map<String, Object>> found = all(events, name);
        assertThat(found).as("'" + name + "' events among " + events.size() + " events").hasSize(1);
        return found.get(0);
    }
}

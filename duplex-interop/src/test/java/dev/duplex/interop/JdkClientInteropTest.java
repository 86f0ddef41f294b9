package dev.duplex.interop;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The JDK's {@code java.net.http.WebSocket} client against our {@code WebSocketServer}. */
class JdkClientInteropTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private static InteropServer server;
    private static HttpClient http;
    private final List<WebSocket> opened = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startServer() {
        server = new InteropServer();
        http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @BeforeEach
    void forgetCloses() {
        server.closes.clear();
    }

    @AfterEach
    void abortClients() {
        for (WebSocket ws : opened) {
            ws.abort();
        }
    }

    // ---------------------------------------------------------------- messages

    @Test
    void textMessagesIncludingNonAsciiAndEmojiAreEchoed() throws Exception {
        JdkRecorder rec = new JdkRecorder();
        WebSocket ws = connect("/echo", rec);
        List<String> texts = List.of("hello", "h\u00e9llo w\u00f6rld", "\u0395\u03bb\u03bb\u03b7\u03bd\u03b9\u03ba\u03ac \u65e5\u672c\u8a9e",
                "emoji \uD83D\uDE00\uD83C\uDF89\uD83D\uDC4D\uD83C\uDFFD", "", "x".repeat(70_000));
        for (String t : texts) {
            await(ws.sendText(t, true));
        }
        for (String t : texts) {
            assertThat(rec.expect(Kind.TEXT).text()).isEqualTo(t);
        }
    }

    @Test
    void binaryMessagesOfEveryLengthEncodingAreEchoed() throws Exception {
        JdkRecorder rec = new JdkRecorder();
        WebSocket ws = connect("/echo", rec);
        int[] sizes = {0, 1, 125, 126, 127, 65_535, 65_536, 65_537, 1 << 20};
        for (int n : sizes) {
            await(ws.sendBinary(ByteBuffer.wrap(Patterns.binary(n)), true));
        }
        for (int n : sizes) {
            assertSameBytes(rec.expect(Kind.BINARY).bytes(), Patterns.binary(n));
        }
    }

    @Test
    void fragmentedSendsAreReassembled() throws Exception {
        JdkRecorder rec = new JdkRecorder();
        WebSocket ws = connect("/echo", rec);
        // Text in three parts with a ping between two of them.
        await(ws.sendText("Hel", false));
        await(ws.sendText("lo, ", false));
        await(ws.sendPing(ByteBuffer.wrap("mid-message".getBytes(UTF_8))));
        await(ws.sendText("w\u00f6rld", true));
        // Non-ASCII characters in several parts.
        await(ws.sendText("\u65e5", false));
        await(ws.sendText("\u672c\uD83D\uDE00", false));
        await(ws.sendText("\u8a9e", true));
        // Binary in two parts, then in 1,000 parts of 100 bytes.
        await(ws.sendBinary(ByteBuffer.wrap(new byte[] {1, 2, 3}), false));
        await(ws.sendBinary(ByteBuffer.wrap(new byte[] {4, 5}), true));
        byte[] whole = Patterns.binary(100_000);
        for (int i = 0; i < 1000; i++) {
            await(ws.sendBinary(ByteBuffer.wrap(whole, i * 100, 100), i == 999));
        }

        assertThat(rec.await(Kind.PONG).text()).isEqualTo("mid-message");
        assertThat(rec.await(Kind.TEXT).text()).isEqualTo("Hello, w\u00f6rld");
        assertThat(rec.expect(Kind.TEXT).text()).isEqualTo("\u65e5\u672c\uD83D\uDE00\u8a9e");
        assertThat(rec.expect(Kind.BINARY).bytes()).containsExactly(1, 2, 3, 4, 5);
        assertSameBytes(rec.expect(Kind.BINARY).bytes(), whole);
    }

    @Test
    void sixteenMebibyteBinaryMessageIsEchoedIntact() throws Exception {
        JdkRecorder rec = new JdkRecorder();
        WebSocket ws = connect("/echo", rec);
        byte[] data = Patterns.binary(Patterns.MIB_16);
        await(ws.sendBinary(ByteBuffer.wrap(data), true));
        Event echo = rec.expect(Kind.BINARY);
        assertThat(echo.bytes().length).isEqualTo(Patterns.MIB_16);
        assertThat(Patterns.sha256(echo.bytes())).isEqualTo(Patterns.sha256(data));
    }

    @Test
    void sixteenMebibyteTextMessageIsEchoedIntact() throws Exception {
        JdkRecorder rec = new JdkRecorder();
        WebSocket ws = connect("/echo", rec);
        String text = Patterns.text(Patterns.MIB_16 / 16);
        assertThat(text.getBytes(UTF_8)).hasSize(Patterns.MIB_16);
        await(ws.sendText(text, true));
        Event echo = rec.expect(Kind.TEXT);
        assertThat(echo.text().length()).isEqualTo(text.length());
        assertThat(Patterns.sha256(echo.text())).isEqualTo(Patterns.sha256(text));
    }

    // ---------------------------------------------------------------- control frames

    @Test
    void pingIsAnsweredWithPongOfTheSamePayload() throws Exception {
        JdkRecorder rec = new JdkRecorder();
        WebSocket ws = connect("/echo", rec);
        for (String payload : List.of("hello-ping", "", "p".repeat(125))) {
            await(ws.sendPing(ByteBuffer.wrap(payload.getBytes(UTF_8))));
            assertThat(rec.expect(Kind.PONG).text()).isEqualTo(payload);
        }
    }

    @Test
    void serverPingIsAnsweredByTheJdk() throws Exception {
        JdkRecorder rec = new JdkRecorder();
        connect("/pinger", rec);
        assertThat(rec.expect(Kind.PING).text()).isEqualTo("duplex-ping");
        assertThat(rec.expect(Kind.TEXT).text()).isEqualTo("pong:duplex-ping");
    }

    @ParameterizedTest(name = "client closes with {0} \"{1}\"")
    @CsvSource(value = {"1000,''", "4000,client says bye"}, emptyValue = "")
    void clientInitiatedCloseIsEchoed(int code, String reason) throws Exception {
        JdkRecorder rec = new JdkRecorder();
        WebSocket ws = connect("/observed", rec);
        await(ws.sendText("before close", true));
        assertThat(rec.expect(Kind.TEXT).text()).isEqualTo("before close");
        await(ws.sendClose(code, reason));
        Event close = rec.expect(Kind.CLOSE);
        assertThat(close.code()).as("the code the server echoed").isEqualTo(code);
        InteropServer.ServerClose seen = server.nextClose(TIMEOUT);
        assertThat(seen).isEqualTo(new InteropServer.ServerClose("/observed", code, reason));
    }

    @Test
    void serverInitiatedCloseReachesTheJdk() throws Exception {
        JdkRecorder rec = new JdkRecorder();
        connect("/close4001", rec);
        Event close = rec.expect(Kind.CLOSE);
        assertThat(close.code()).isEqualTo(4001);
        assertThat(close.text()).isEqualTo("bye");
        InteropServer.ServerClose seen = server.nextClose(TIMEOUT);
        assertThat(seen.path()).isEqualTo("/close4001");
        assertThat(seen.code()).isEqualTo(4001);
    }

    // ---------------------------------------------------------------- handshake

    @Test
    void subprotocolIsNegotiatedInTheServersOrderOfPreference() throws Exception {
        JdkRecorder rec = new JdkRecorder();
        WebSocket ws = connect("/chat", rec, "chat.v2", "chat.v1");
        assertThat(ws.getSubprotocol()).isEqualTo("chat.v1");
        assertThat(rec.expect(Kind.TEXT).text()).isEqualTo("subprotocol:chat.v1");

        JdkRecorder rec2 = new JdkRecorder();
        WebSocket ws2 = connect("/chat", rec2, "chat.v2");
        assertThat(ws2.getSubprotocol()).isEqualTo("chat.v2");
        assertThat(rec2.expect(Kind.TEXT).text()).isEqualTo("subprotocol:chat.v2");

        JdkRecorder rec3 = new JdkRecorder();
        WebSocket ws3 = connect("/chat", rec3, "other");
        assertThat(ws3.getSubprotocol()).as("no subprotocol agreed").isEmpty();
        assertThat(rec3.expect(Kind.TEXT).text()).isEqualTo("subprotocol:null");
    }

    @Test
    void unknownPathIsRefusedWith404() {
        Throwable thrown = catchThrowable(() -> http.newWebSocketBuilder().connectTimeout(TIMEOUT)
                .buildAsync(URI.create(server.url("/no-such-endpoint")), new JdkRecorder())
                .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        assertThat(thrown).isInstanceOf(ExecutionException.class);
        assertThat(thrown.getCause()).isInstanceOf(WebSocketHandshakeException.class);
        assertThat(((WebSocketHandshakeException) thrown.getCause()).getResponse().statusCode()).isEqualTo(404);
    }

    // ---------------------------------------------------------------- many clients

    @Test
    void fiftyConcurrentClientsEachEchoOneHundredMessages() throws Exception {
        int clients = 50;
        int messages = 100;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                results.add(pool.submit(() -> {
                    JdkRecorder rec = new JdkRecorder();
                    WebSocket ws = connect("/observed", rec);
                    for (int m = 0; m < messages; m++) {
                        String text = "client " + client + " message " + m + " \u00e9\uD83D\uDE00";
                        if (m % 2 == 0) {
                            await(ws.sendText(text, true));
                            assertThat(rec.expect(Kind.TEXT).text()).isEqualTo(text);
                        } else {
                            await(ws.sendBinary(ByteBuffer.wrap(text.getBytes(UTF_8)), true));
                            assertThat(new String(rec.expect(Kind.BINARY).bytes(), UTF_8)).isEqualTo(text);
                        }
                    }
                    await(ws.sendClose(WebSocket.NORMAL_CLOSURE, "done"));
                    return rec.expect(Kind.CLOSE).code();
                }));
            }
            for (Future<Integer> result : results) {
                assertThat(result.get(60, TimeUnit.SECONDS)).isEqualTo(1000);
            }
            for (int c = 0; c < clients; c++) {
                assertThat(server.nextClose(TIMEOUT).code()).isEqualTo(1000);
            }
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    // ---------------------------------------------------------------- helpers

    private WebSocket connect(String path, JdkRecorder rec, String... subprotocols) throws Exception {
        WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(TIMEOUT);
        if (subprotocols.length > 0) {
            builder.subprotocols(subprotocols[0], Arrays.copyOfRange(subprotocols, 1, subprotocols.length));
        }
        WebSocket ws = builder.buildAsync(URI.create(server.url(path)), rec).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        opened.add(ws);
        return ws;
    }

    private static void await(CompletableFuture<?> send) throws Exception {
        send.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    static void assertSameBytes(byte[] actual, byte[] expected) {
        assertThat(actual.length).as("length").isEqualTo(expected.length);
        int mismatch = Arrays.mismatch(actual, expected);
        if (mismatch >= 0) {
            fail("Bytes differ first at index " + mismatch + " of " + expected.length + ": got " + actual[mismatch]
                    + ", expected " + expected[mismatch]);
        }
    }

    enum Kind { TEXT, BINARY, PING, PONG, CLOSE, ERROR }

    /** {@code text} holds the text, ping/pong payload as UTF-8, or close reason; {@code parts}: frames delivered. */
    record Event(Kind kind, String text, byte[] bytes, int code, int parts, Throwable error) {
        @Override
        public String toString() {
            String t = text == null ? "" : text.length() > 60 ? text.substring(0, 60) + "…" : text;
            return kind + "(" + t + (bytes == null ? "" : ", " + bytes.length + " bytes") + (kind == Kind.CLOSE ? ", " + code : "")
                    + (error == null ? "" : ", " + error) + ")";
        }
    }

    /** Records the JDK client's events, assembling messages the JDK delivers in parts. */
    static final class JdkRecorder implements WebSocket.Listener {
        private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
        private final List<Event> taken = new ArrayList<>();
        private final StringBuilder text = new StringBuilder();
        private final ByteArrayOutputStream binary = new ByteArrayOutputStream();
        private int parts;

        @Override
        public void onOpen(WebSocket ws) {
            ws.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            parts++;
            if (last) {
                events.add(new Event(Kind.TEXT, text.toString(), null, 0, parts, null));
                text.setLength(0);
                parts = 0;
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            binary.writeBytes(b);
            parts++;
            if (last) {
                events.add(new Event(Kind.BINARY, null, binary.toByteArray(), 0, parts, null));
                binary.reset();
                parts = 0;
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPing(WebSocket ws, ByteBuffer message) {
            events.add(new Event(Kind.PING, UTF_8.decode(message).toString(), null, 0, 1, null));
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPong(WebSocket ws, ByteBuffer message) {
            events.add(new Event(Kind.PONG, UTF_8.decode(message).toString(), null, 0, 1, null));
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            events.add(new Event(Kind.CLOSE, reason, null, statusCode, 1, null));
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            events.add(new Event(Kind.ERROR, null, null, 0, 0, error));
        }

        Event next() {
            Event e;
            try {
                e = events.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", ex);
            }
            if (e == null) {
                fail("The JDK client received nothing within " + TIMEOUT.toMillis() + " ms; events so far: " + taken);
            }
            taken.add(e);
            return e;
        }

        Event expect(Kind kind) {
            Event e = next();
            if (e.kind() != kind) {
                fail("Expected " + kind + " but the JDK client got " + e + "; events so far: " + taken);
            }
            return e;
        }

        Event await(Kind kind) {
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (System.nanoTime() < deadline) {
                Event e = next();
                if (e.kind() == kind) {
                    return e;
                }
            }
            return fail("No " + kind + " within " + TIMEOUT.toMillis() + " ms; events so far: " + taken);
        }
    }
}

package dev.duplex.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.duplex.testkit.TestCertificates;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** wss:// end to end: our client and the JDK's against our server, certificates from a test CA. */
class WssTest {
    private static final int MIB_16 = 16 * 1024 * 1024;
    private static final long WAIT = 30;

    private static TestCertificates certs;
    private static WebSocketServer server;
    private static final BlockingQueue<String> serverCloses = new LinkedBlockingQueue<>();

    @BeforeAll
    static void start() {
        certs = TestCertificates.create("localhost", "127.0.0.1");
        server = WebSocketServer.builder()
                .tls(certs.serverContext())
                .options(WebSocketOptions.defaults().withMaxMessageBytes(32L * 1024 * 1024)
                        .withMaxQueuedBytes(256L * 1024 * 1024))
                .route("/echo", new WebSocketListener() {
                    @Override
                    public void onText(WebSocket ws, String text) {
                        ws.sendText(text);
                    }

                    @Override
                    public void onBinary(WebSocket ws, ByteBuffer data) {
                        ws.sendBinary(data);
                    }

                    @Override
                    public void onClose(WebSocket ws, int code, String reason) {
                        serverCloses.add(code + " " + reason);
                    }
                })
                .route("/close4001", new WebSocketListener() {
                    @Override
                    public void onOpen(WebSocket ws) {
                        ws.close(4001, "server says bye");
                    }
                })
                .startOnLoopback(0);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static URI uri(String host, String path) {
        return URI.create("wss://" + host + ":" + server.port() + path);
    }

    /** Records what a client connection sees. */
    static final class Recorder implements WebSocketListener {
        final BlockingQueue<Object> messages = new LinkedBlockingQueue<>();
        final CompletableFuture<String> closed = new CompletableFuture<>();

        @Override
        public void onText(WebSocket ws, String text) {
            messages.add(text);
        }

        @Override
        public void onBinary(WebSocket ws, ByteBuffer data) {
            byte[] copy = new byte[data.remaining()];
            data.get(copy);
            messages.add(copy);
        }

        @Override
        public void onClose(WebSocket ws, int code, String reason) {
            closed.complete(code + " " + reason);
        }

        Object next() throws InterruptedException {
            Object m = messages.poll(WAIT, TimeUnit.SECONDS);
            assertThat(m).as("a message within %d s", WAIT).isNotNull();
            return m;
        }
    }

    @Test
    void textBinaryOf16MebibytesAndCloseCodesOverWss() throws Exception {
        serverCloses.clear();
        assertThat(server.isTls()).isTrue();
        assertThat(server.scheme()).isEqualTo("wss");
        Recorder recorder = new Recorder();
        try (WebSocketClient client = WebSocketClient.builder().sslContext(certs.clientContext())
                .options(WebSocketOptions.defaults().withMaxMessageBytes(32L * 1024 * 1024)
                        .withMaxQueuedBytes(64L * 1024 * 1024)).build()) { // 16 MiB sends need room in the queue
            WebSocket ws = client.connect(uri("localhost", "/echo"), recorder).get(WAIT, TimeUnit.SECONDS);
            ws.sendText("h\u00e9llo over TLS \uD83D\uDE00");
            assertThat(recorder.next()).isEqualTo("h\u00e9llo over TLS \uD83D\uDE00");

            byte[] big = new byte[MIB_16];
            for (int i = 0; i < big.length; i++) {
                big[i] = (byte) (i * 31 + 7);
            }
            ws.sendBinary(ByteBuffer.wrap(big));
            byte[] echoed = (byte[]) recorder.next();
            assertThat(echoed.length).isEqualTo(MIB_16);
            assertThat(MessageDigest.getInstance("SHA-256").digest(echoed))
                    .isEqualTo(MessageDigest.getInstance("SHA-256").digest(big));

            ws.close(4000, "client says bye");
            assertThat(recorder.closed.get(WAIT, TimeUnit.SECONDS)).as("the server echoes the code").startsWith("4000");
            assertThat(serverCloses.poll(WAIT, TimeUnit.SECONDS)).isEqualTo("4000 client says bye");
        }
    }

    @Test
    void serverInitiatedCloseReachesTheClientOverWss() throws Exception {
        Recorder recorder = new Recorder();
        try (WebSocketClient client = WebSocketClient.builder().sslContext(certs.clientContext()).build()) {
            client.connect(uri("127.0.0.1", "/close4001"), recorder).get(WAIT, TimeUnit.SECONDS);
            assertThat(recorder.closed.get(WAIT, TimeUnit.SECONDS)).isEqualTo("4001 server says bye");
        }
    }

    @Test
    void aCertificateForAnotherHostFailsTheConnectWithAMessageSayingHowToFixIt() throws Exception {
        try (WebSocketServer other = WebSocketServer.builder()
                .tls(certs.withLeafFor("other.example").serverContext())
                .route("/echo", new WebSocketListener() { })
                .startOnLoopback(0);
                WebSocketClient client = WebSocketClient.builder().sslContext(certs.clientContext()).build()) {
            URI uri = URI.create("wss://localhost:" + other.port() + "/echo");
            assertThatThrownBy(() -> client.connect(uri, new Recorder()).get(WAIT, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(SSLHandshakeException.class)
                    .hasMessageContaining("does not match the host 'localhost'")
                    .hasMessageContaining("insecureSkipHostnameVerification");
            assertThat(client.connectionCount()).isZero();
        }
    }

    @Test
    void theExplicitOptOutConnectsDespiteTheNameMismatch() throws Exception {
        try (WebSocketServer other = WebSocketServer.builder()
                .tls(certs.withLeafFor("other.example").serverContext())
                .route("/echo", new WebSocketListener() {
                    @Override
                    public void onText(WebSocket ws, String text) {
                        ws.sendText(text);
                    }
                })
                .startOnLoopback(0);
                WebSocketClient client = WebSocketClient.builder().sslContext(certs.clientContext())
                        .insecureSkipHostnameVerification().build()) {
            Recorder recorder = new Recorder();
            WebSocket ws = client.connect(URI.create("wss://localhost:" + other.port() + "/echo"), recorder)
                    .get(WAIT, TimeUnit.SECONDS);
            ws.sendText("anyway");
            assertThat(recorder.next()).isEqualTo("anyway");
            ws.close(1000, "");
            assertThat(recorder.closed.get(WAIT, TimeUnit.SECONDS)).startsWith("1000");
        }
    }

    @Test
    void anUntrustedCertificateFailsTheConnect() throws Exception {
        try (WebSocketClient client = WebSocketClient.builder()
                .sslContext(TestCertificates.create("localhost").clientContext()).build()) {
            assertThatThrownBy(() -> client.connect(uri("localhost", "/echo"), new Recorder()).get(WAIT, TimeUnit.SECONDS))
                    .cause().isInstanceOf(SSLHandshakeException.class);
        }
    }

    @Test
    void theJdkHttpClientWebSocketTalksToOurServerOverWss() throws Exception {
        serverCloses.clear();
        BlockingQueue<String> texts = new LinkedBlockingQueue<>();
        CompletableFuture<Integer> closed = new CompletableFuture<>();
        HttpClient http = HttpClient.newBuilder().sslContext(certs.clientContext()).build();
        java.net.http.WebSocket ws = http.newWebSocketBuilder()
                .buildAsync(uri("localhost", "/echo"), new java.net.http.WebSocket.Listener() {
                    private final StringBuilder text = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(java.net.http.WebSocket webSocket, CharSequence data, boolean last) {
                        text.append(data);
                        if (last) {
                            texts.add(text.toString());
                            text.setLength(0);
                        }
                        webSocket.request(1);
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onClose(java.net.http.WebSocket webSocket, int statusCode, String reason) {
                        closed.complete(statusCode);
                        return null;
                    }
                }).get(WAIT, TimeUnit.SECONDS);
        for (String message : List.of("one", "two", "x".repeat(200_000))) {
            ws.sendText(message, true).get(WAIT, TimeUnit.SECONDS);
            assertThat(texts.poll(WAIT, TimeUnit.SECONDS)).isEqualTo(message);
        }
        ws.sendClose(1000, "done").get(WAIT, TimeUnit.SECONDS);
        assertThat(closed.get(WAIT, TimeUnit.SECONDS)).isEqualTo(1000);
        assertThat(serverCloses.poll(WAIT, TimeUnit.SECONDS)).isEqualTo("1000 done");
    }

    @Test
    void theDocsExample() throws Exception {
        SSLContext serverContext = certs.serverContext();
        SSLContext trustingOurCa = certs.clientContext();
        Recorder listener = new Recorder();
        // docs/tls.md: the server, then the client (DocsExamplesTest in duplex-server compares them)
        WebSocketServer secure = WebSocketServer.builder()
                .tls(serverContext)                         // an SSLContext with your key and certificate chain
                .route("/echo", new WebSocketListener() {
                    @Override public void onText(WebSocket ws, String text) { ws.sendText(text); }
                })
                .start(0);
        try (WebSocketClient client = WebSocketClient.builder().sslContext(trustingOurCa).build()) {
            WebSocket ws = client.connect(URI.create("wss://localhost:" + secure.port() + "/echo"), listener).get();
            ws.sendText("hello");
            assertThat(listener.next()).isEqualTo("hello");
            ws.close(1000, "bye");
            listener.closed.get(WAIT, TimeUnit.SECONDS);
        } finally {
            secure.close(Duration.ofSeconds(5));
        }
    }
}

package dev.duplex.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.websocket.WebSocketServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code duplex serve} as a user runs it: options parsed, /echo served, limits applied. */
class ServeCommandTest {

    private static ServeCommand parse(String... args) {
        ServeCommand serve = new ServeCommand();
        new CommandLine(serve).parseArgs(args);
        return serve;
    }

    @Test
    void defaultsAreTheDocumentedOnes() {
        ServeCommand serve = parse();
        assertThat(serve.port).isEqualTo(8080);
        assertThat(serve.maxMessageSize).isEqualTo(16L << 20);
        assertThat(serve.maxFragments).isEqualTo(65_536);
        assertThat(serve.pingIntervalSeconds).isZero();
    }

    @Test
    void servesAnEchoEndpoint() throws Exception {
        try (WebSocketServer server = parse("--port", "0", "--host", "127.0.0.1").start()) {
            StringBuilder received = new StringBuilder();
            CompletableFuture<String> echoed = new CompletableFuture<>();
            WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                    .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/echo"), new WebSocket.Listener() {
                        @Override
                        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                            received.append(data);
                            if (last) {
                                echoed.complete(received.toString());
                            }
                            webSocket.request(1);
                            return null;
                        }
                    }).get(5, TimeUnit.SECONDS);
            ws.sendText("hello, duplex", true).get(5, TimeUnit.SECONDS);
            assertThat(echoed.get(5, TimeUnit.SECONDS)).isEqualTo("hello, duplex");
            ws.sendClose(1000, "").get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void maxMessageSizeOptionIsEnforced() throws Exception {
        try (WebSocketServer server = parse("--port", "0", "--host", "127.0.0.1", "--max-message-size", "1000").start()) {
            CompletableFuture<Integer> closeCode = new CompletableFuture<>();
            WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                    .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/echo"), new WebSocket.Listener() {
                        @Override
                        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                            closeCode.complete(statusCode);
                            return null;
                        }
                    }).get(5, TimeUnit.SECONDS);
            ws.sendBinary(ByteBuffer.allocate(1001), true).get(5, TimeUnit.SECONDS);
            assertThat(closeCode.get(5, TimeUnit.SECONDS)).isEqualTo(1009);
        }
    }

    @Test
    void helpListsTheCommands() {
        StringWriter out = new StringWriter();
        CommandLine cli = DuplexCommand.commandLine();
        cli.setOut(new PrintWriter(out));
        assertThat(cli.execute("--help")).isZero();
        assertThat(out.toString()).contains("serve", "autobahn-client");
    }

    @Test
    void broadcastDeliversEveryMessageToEveryClientIncludingTheSender() throws Exception {
        try (WebSocketServer server = parse("--port", "0", "--host", "127.0.0.1").start()) {
            URI uri = URI.create("ws://127.0.0.1:" + server.port() + "/broadcast");
            java.util.List<java.util.concurrent.BlockingQueue<String>> inboxes = new java.util.ArrayList<>();
            java.util.List<WebSocket> clients = new java.util.ArrayList<>();
            for (int i = 0; i < 3; i++) {
                java.util.concurrent.BlockingQueue<String> inbox = new java.util.concurrent.LinkedBlockingQueue<>();
                inboxes.add(inbox);
                clients.add(HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(uri, new WebSocket.Listener() {
                    private final StringBuilder text = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        text.append(data);
                        if (last) {
                            inbox.add("text:" + text);
                            text.setLength(0);
                        }
                        webSocket.request(1);
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
                        inbox.add("binary:" + data.remaining());
                        webSocket.request(1);
                        return null;
                    }
                }).get(5, TimeUnit.SECONDS));
            }
            // Every client is registered once its handshake completed; a round of pings makes sure.
            for (WebSocket client : clients) {
                client.sendPing(ByteBuffer.allocate(0)).get(5, TimeUnit.SECONDS);
            }
            // Messages from different senders may interleave (their connections run on different
            // event loops), so each is awaited everywhere before the next is sent.
            clients.get(0).sendText("héllo everyone", true).get(5, TimeUnit.SECONDS);
            for (java.util.concurrent.BlockingQueue<String> inbox : inboxes) {
                assertThat(inbox.poll(5, TimeUnit.SECONDS)).isEqualTo("text:héllo everyone");
            }
            clients.get(2).sendBinary(ByteBuffer.allocate(1000), true).get(5, TimeUnit.SECONDS);
            for (java.util.concurrent.BlockingQueue<String> inbox : inboxes) {
                assertThat(inbox.poll(5, TimeUnit.SECONDS)).isEqualTo("binary:1000");
            }
            for (WebSocket client : clients) {
                client.sendClose(1000, "").get(5, TimeUnit.SECONDS);
            }
        }
    }
}

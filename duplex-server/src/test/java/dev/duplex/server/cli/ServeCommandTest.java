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
}

package dev.duplex.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.protocol.FrameTrace;
import dev.duplex.server.cli.connect.FrameLines;
import dev.duplex.websocket.WebSocket;
import dev.duplex.websocket.WebSocketListener;
import dev.duplex.websocket.WebSocketOptions;
import dev.duplex.websocket.WebSocketServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code duplex connect} against a real server on loopback, with piped stdin and captured stdout/stderr. */
class ConnectCommandTest {

    /** Echoes text and binary; a text "close CODE REASON" makes the server close instead. */
    private static final WebSocketListener ECHO = new WebSocketListener() {
        @Override
        public void onText(WebSocket ws, String text) {
            if (text.startsWith("close ")) {
                String[] parts = text.split(" ", 3);
                ws.close(Integer.parseInt(parts[1]), parts.length > 2 ? parts[2] : null);
            } else {
                ws.sendText(text);
            }
        }

        @Override
        public void onBinary(WebSocket ws, ByteBuffer data) {
            ws.sendBinary(data);
        }
    };

    private WebSocketServer server;
    private String url;

    @BeforeEach
    void start() {
        server = WebSocketServer.builder().route("/echo", ECHO).startOnLoopback(0);
        url = "ws://127.0.0.1:" + server.port() + "/echo";
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** A run of the command: its streams, and its exit status once it ends. */
    private static final class Run {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final CompletableFuture<Integer> exit;

        Run(InputStream stdin, String... args) {
            ConnectCommand command = new ConnectCommand(stdin, new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            exit = CompletableFuture.supplyAsync(() -> new CommandLine(command).execute(args));
        }

        String out() {
            return out.toString(StandardCharsets.UTF_8);
        }

        String err() {
            return err.toString(StandardCharsets.UTF_8);
        }

        List<String> outLines() {
            return out().lines().toList();
        }

        int exitCode() throws Exception {
            return exit.get(20, TimeUnit.SECONDS);
        }

        void awaitOut(String text) throws InterruptedException {
            await(out, text);
        }

        void awaitErr(String text) throws InterruptedException {
            await(err, text);
        }

        private void await(ByteArrayOutputStream stream, String text) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!stream.toString(StandardCharsets.UTF_8).contains(text)) {
                if (System.nanoTime() > deadline || exit.isDone()) {
                    throw new AssertionError("No '" + text + "' within 10 s; stdout:\n" + out() + "\nstderr:\n" + err());
                }
                TimeUnit.MILLISECONDS.sleep(5);
            }
        }
    }

    /** Stdin the test types into, line by line, like a user at a terminal. */
    private static final class Keyboard implements AutoCloseable {
        final PipedInputStream stdin = new PipedInputStream();
        final OutputStream keys;

        Keyboard() throws IOException {
            keys = new PipedOutputStream(stdin);
        }

        void type(String line) throws IOException {
            keys.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            keys.flush();
        }

        @Override
        public void close() throws IOException {
            keys.close();
        }
    }

    private static InputStream input(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void interactiveSessionWithFrames() throws Exception {
        try (Keyboard keyboard = new Keyboard()) {
            Run run = new Run(keyboard.stdin, url, "--frames");
            run.awaitErr("Connected to " + url);
            keyboard.type("hello");
            run.awaitOut("hello\n");
            keyboard.type("/ping x");
            run.awaitErr("Pong \"x\"");
            keyboard.type("/close 1000 bye");
            assertThat(run.exitCode()).isZero();
            assertThat(run.outLines()).containsExactly(
                    "> FIN text masked len=5",      // ours: masked, as a client's must be
                    "< FIN text len=5",             // the server's: not masked
                    "hello",
                    "> FIN ping masked len=1",
                    "< FIN pong len=1",
                    "> FIN close masked len=5 1000 \"bye\"",
                    "< FIN close len=2 1000");      // the server echoes the code, without a reason
            assertThat(run.err()).contains("Closed: 1000");
        }
    }

    @Test
    void pipedInputIsSentAndTheRepliesPrintedBeforeTheCloseAtItsEnd() throws Exception {
        Run run = new Run(input("one\ntwo\n//slash\n"), url);
        assertThat(run.exitCode()).isZero();
        assertThat(run.outLines()).containsExactly("one", "two", "/slash");
        assertThat(run.err()).contains("Closed: 1000");
    }

    /**
     * Same class of defect as the review's findings, in the client: a server could send terminal
     * control sequences (clear the screen, rewrite earlier lines) that connect printed raw.
     */
    @Test
    void controlCharactersFromTheServerAreShownNotObeyed() throws Exception {
        Run run = new Run(input("\u001b[2Jcleared\u0007 and \u009b31m\ttabbed\n"), url);
        assertThat(run.exitCode()).isZero();
        assertThat(run.outLines()).containsExactly("\\u001b[2Jcleared\\u0007 and \\u009b31m\ttabbed");
        assertThat(run.out()).doesNotContain("\u001b").doesNotContain("\u0007").doesNotContain("\u009b");
    }

    @Test
    void binaryLinesAndTheirHexPreview() throws Exception {
        Run run = new Run(input("abc\n0123456789abcdefXYZ\n"), url, "--binary", "--frames");
        assertThat(run.exitCode()).isZero();
        assertThat(run.outLines()).contains(
                "> FIN binary masked len=3",
                "< FIN binary len=3",
                "<binary 3 bytes: 61 62 63>",
                "<binary 19 bytes: 30 31 32 33 34 35 36 37 38 39 61 62 63 64 65 66 ...>");
    }

    @Test
    void serverCloseWith1000Or1001ExitsZeroAndWithAnotherCodeNonZero() throws Exception {
        Run going = new Run(input("close 1001 see you\n"), url, "--frames");
        assertThat(going.exitCode()).isZero();
        assertThat(going.err()).contains("Closed by the server: 1001 \"see you\"");
        assertThat(going.outLines()).contains("< FIN close len=9 1001 \"see you\"", "> FIN close masked len=2 1001");

        Run refused = new Run(input("close 4000 not today\n"), url);
        assertThat(refused.exitCode()).isEqualTo(3);
        assertThat(refused.err()).contains("Closed by the server: 4000 \"not today\"");
    }

    @Test
    void subprotocolAndHeadersReachTheServer() throws Exception {
        BlockingQueue<String> agreed = new LinkedBlockingQueue<>();
        WebSocketListener chat = new WebSocketListener() {
            @Override
            public void onOpen(WebSocket ws) {
                agreed.add(String.valueOf(ws.subprotocol()));
            }
        };
        try (WebSocketServer picky = WebSocketServer.builder()
                .route("/chat", List.of("chat.v2"), chat)
                .options(WebSocketOptions.defaults().withAllowedOrigins("https://app.example"))
                .startOnLoopback(0)) {
            String chatUrl = "ws://127.0.0.1:" + picky.port() + "/chat";
            Run run = new Run(input(""), chatUrl, "--subprotocol", "chat.v1", "--subprotocol", "chat.v2",
                    "-H", "Origin: https://app.example");
            assertThat(run.exitCode()).isZero();
            assertThat(agreed.poll(5, TimeUnit.SECONDS)).isEqualTo("chat.v2");
            assertThat(run.err()).contains("Connected to " + chatUrl + " (subprotocol chat.v2)");

            // Without the header the origin policy refuses: the HTTP status is shown, exit 1.
            Run refused = new Run(input(""), chatUrl, "-H", "Origin: https://evil.example");
            assertThat(refused.exitCode()).isEqualTo(1);
            assertThat(refused.err()).startsWith("Could not connect to " + chatUrl + ": server answered 403 ");
        }
    }

    @Test
    void requestCarriesEveryHeaderAndSubprotocol() throws Exception {
        try (ServerSocket fake = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String fakeUrl = "ws://127.0.0.1:" + fake.getLocalPort() + "/x";
            Run run = new Run(input(""), fakeUrl, "-H", "X-Token: abc 123", "--header", "X-Other:two",
                    "--subprotocol", "a", "--subprotocol", "b");
            String request;
            try (Socket socket = fake.accept()) {
                ByteArrayOutputStream head = new ByteArrayOutputStream();
                InputStream in = socket.getInputStream();
                while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                    head.write(in.read());
                }
                request = head.toString(StandardCharsets.ISO_8859_1);
                socket.getOutputStream().write(("HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
            }
            assertThat(request).startsWith("GET /x HTTP/1.1\r\n")
                    .contains("\r\nX-Token: abc 123\r\n", "\r\nX-Other: two\r\n", "\r\nSec-WebSocket-Protocol: a, b\r\n");
            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.err()).isEqualTo("Could not connect to " + fakeUrl
                    + ": server answered 401 Unauthorized instead of 101 Switching Protocols" + System.lineSeparator());
        }
    }

    @Test
    void refusedConnectionIsOneClearLineAndExitCode1() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        String refusedUrl = "ws://127.0.0.1:" + port + "/echo";
        Run run = new Run(input("hello\n"), refusedUrl);
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("Could not connect to " + refusedUrl + ": connection refused" + System.lineSeparator());
        assertThat(run.out()).isEmpty();
    }

    @Test
    void commandMistakesAreReportedAndTheSessionGoesOn() throws Exception {
        Run run = new Run(input("/frobnicate\n/close nope\n/close 1005\n/ping " + "x".repeat(126) + "\nstill here\n"), url);
        assertThat(run.exitCode()).isZero();
        assertThat(run.outLines()).containsExactly("still here");
        assertThat(run.err()).contains("Unknown command /frobnicate: /ping [data], /close [code] [reason], /quit",
                "Not a close code: nope", "Close code 1005 may not be sent", "A ping carries at most 125 bytes");
    }

    @Test
    void quitClosesWith1000() throws Exception {
        Run run = new Run(input("/quit\nnever sent\n"), url, "--frames");
        assertThat(run.exitCode()).isZero();
        assertThat(run.outLines()).containsExactly("> FIN close masked len=2 1000", "< FIN close len=2 1000");
    }

    @Test
    void badOptionsAreExitCode2() throws Exception {
        Run notWs = new Run(input(""), "http://127.0.0.1:1/");
        assertThat(notWs.exitCode()).isEqualTo(2);
        assertThat(notWs.err()).contains("the URL must start with ws:// or wss://");

        Run badHeader = new Run(input(""), url, "-H", "no colon here");
        assertThat(badHeader.exitCode()).isEqualTo(2);
        assertThat(badHeader.err()).contains("-H wants 'Name: value'");
    }

    @Test
    void frameLinesShowEveryBit() {
        assertThat(FrameLines.format(new FrameTrace(FrameTrace.Direction.IN, true, true, false, false, 0x2, false, 120, -1, null)))
                .isEqualTo("< FIN RSV1 binary len=120");
        assertThat(FrameLines.format(new FrameTrace(FrameTrace.Direction.OUT, false, false, true, true, 0x0, true, 7, -1, null)))
                .isEqualTo("> RSV2 RSV3 continuation masked len=7");
        assertThat(FrameLines.format(new FrameTrace(FrameTrace.Direction.IN, true, false, false, false, 0x8, false, 12, 4001,
                "say \"hi\"\n"))).isEqualTo("< FIN close len=12 4001 \"say \\\"hi\\\"\\n\"");
    }

    @Test
    void helpListsConnect() {
        java.io.StringWriter help = new java.io.StringWriter();
        CommandLine cli = DuplexCommand.commandLine();
        cli.setOut(new java.io.PrintWriter(help));
        assertThat(cli.execute("--help")).isZero();
        assertThat(help.toString()).contains("connect");
    }
}

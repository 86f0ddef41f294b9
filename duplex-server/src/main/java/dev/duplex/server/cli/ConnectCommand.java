package dev.duplex.server.cli;

import dev.duplex.hub.HubServer;
import dev.duplex.hub.protocol.HubCodec;
import dev.duplex.server.cli.connect.ConnectSession;
import dev.duplex.server.cli.connect.HubLineTranslator;
import dev.duplex.server.cli.connect.LineTranslator;
import dev.duplex.server.cli.connect.RawLineTranslator;
import dev.duplex.websocket.WebSocketClient;
import dev.duplex.websocket.WebSocketOptions;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code duplex connect URL}: an interactive client. Lines from stdin are sent as messages; what
 * arrives is printed on stdout; {@code /ping}, {@code /close}, {@code /quit} are commands. Status
 * goes to stderr. Exit status: 0 after a clean close (ours, or the server's with 1000/1001), 1 when
 * the connection could not be opened, 2 for bad options, 3 when the server closed with another
 * code or the connection failed.
 */
@Command(name = "connect", mixinStandardHelpOptions = true,
        description = {"Interactive WebSocket client: each line of input is sent as a message, each message received "
                + "is printed (binary as a hex preview). Commands: /ping [data], /close [code] [reason], /quit; "
                + "a line starting with // sends one starting with /. At the end of input it waits briefly for replies "
                + "(a ping, answered after them) and closes with 1000.",
                "With --hub, a client of the Duplex hub: duplex connect --hub ws://localhost:8080/connect, then "
                        + "sub chat:lobby, pub chat:lobby {\"text\":\"hi\"}, presence chat:lobby, history chat:lobby 10.",
                "Exit status: 0 after a clean close (ours, or the server's with 1000/1001), 1 if the connection could "
                        + "not be opened, 2 for bad options, 3 if the server closed with another code or the connection failed."})
final class ConnectCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "URL", description = "ws:// or wss:// URL, e.g. ws://localhost:8080/echo")
    URI url;

    @Option(names = "--subprotocol", paramLabel = "NAME", description = "Offer this subprotocol; repeatable, in order of preference.")
    List<String> subprotocols = new ArrayList<>();

    @Option(names = {"-H", "--header"}, paramLabel = "'NAME: VALUE'", description = "Add a request header; repeatable.")
    List<String> headers = new ArrayList<>();

    @Option(names = "--frames", description = "Print every frame both ways on stdout: > sent, < received, with FIN, RSV, "
            + "opcode, mask bit, payload length, close code and reason.")
    boolean frames;

    @Option(names = "--binary", description = "Send lines as binary messages (their UTF-8 bytes) instead of text.")
    boolean binary;

    @Option(names = "--insecure", description = "wss:// only: accept a trusted certificate that names another host "
            + "(skips hostname verification; the certificate must still be trusted).")
    boolean insecure;

    @Option(names = "--timeout", defaultValue = "10", paramLabel = "SECONDS",
            description = "Seconds for each step of connecting: TCP, TLS, the opening handshake (default: ${DEFAULT-VALUE}).")
    double timeoutSeconds;

    @Option(names = "--max-message-size", defaultValue = "16777216", paramLabel = "BYTES",
            description = "Largest message accepted from the server (default: ${DEFAULT-VALUE}; 1009 above).")
    long maxMessageSize;

    @Option(names = "--hub", description = "Speak the Duplex hub protocol (duplex.v1.json): send connect at once, then type "
            + HubLineTranslator.COMMANDS_FOR_HELP + "; messages are printed compactly. The URL's path defaults to /connect.")
    boolean hub;

    @Option(names = "--token", paramLabel = "JWT", description = "With --hub: the connection token sent in connect (default: anonymous).")
    String token;

    private final InputStream in;
    private final PrintStream out;
    private final PrintStream err;
    private final boolean closeOnShutdown;

    /** For the command line: stdin, stdout, stderr; Ctrl+C closes with 1001. */
    ConnectCommand() {
        this(System.in, System.out, System.err, true);
    }

    /** For tests: input and output streams of their own. */
    ConnectCommand(InputStream in, PrintStream out, PrintStream err) {
        this(in, out, err, false);
    }

    private ConnectCommand(InputStream in, PrintStream out, PrintStream err, boolean closeOnShutdown) {
        this.in = in;
        this.out = out;
        this.err = err;
        this.closeOnShutdown = closeOnShutdown;
    }

    /** The mode: how a typed line becomes a message and a message a printed line. */
    private LineTranslator translator() {
        return hub ? new HubLineTranslator(token, "duplex-connect", DuplexVersion.get()) : new RawLineTranslator(binary);
    }

    /** The subprotocols to offer and the extra headers (-H) of the handshake request. */
    private record Request(List<String> subprotocols, Map<String, String> headers) {
    }

    @Override
    public Integer call() throws InterruptedException {
        Request request;
        try {
            request = request();
        } catch (IllegalArgumentException e) {
            err.println("duplex connect: " + e.getMessage());
            return ConnectSession.EXIT_USAGE;
        }
        Duration timeout = Duration.ofNanos((long) (timeoutSeconds * 1e9));
        if (timeout.isNegative() || timeout.isZero()) {
            err.println("duplex connect: --timeout must be positive");
            return ConnectSession.EXIT_USAGE;
        }
        WebSocketClient builder = WebSocketClient.builder()
                .options(WebSocketOptions.defaults().withMaxMessageBytes(maxMessageSize).withHandshakeTimeout(timeout)
                        .withConnectTimeout(timeout).withTlsHandshakeTimeout(timeout));
        if (insecure) {
            builder.insecureSkipHostnameVerification();
        }
        ConnectSession session = new ConnectSession(url, translator(), frames, out, err);
        try (WebSocketClient client = builder.build()) {
            try {
                // Both timeouts bound the future; the extra wait only guards against a lost completion.
                client.connect(url, request.subprotocols(), request.headers(), session).get(2 * timeout.toMillis() + 5_000, TimeUnit.MILLISECONDS);
            } catch (ExecutionException | TimeoutException | RuntimeException e) {
                err.println("Could not connect to " + url + ": " + explain(e));
                return ConnectSession.EXIT_CONNECT_FAILED;
            }
            Thread shutdownHook = closeOnShutdown ? new Thread(() -> {
                session.shuttingDown();
                client.close(); // 1001 to the server, waiting for its answer up to the close timeout
            }, "duplex-connect-shutdown") : null;
            if (shutdownHook != null) {
                Runtime.getRuntime().addShutdownHook(shutdownHook);
            }
            Thread reader = new Thread(() -> session.readInput(
                    new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))), "duplex-connect-input");
            reader.setDaemon(true); // blocked in a read of stdin when the server closes: must not keep the JVM up
            reader.start();
            int status = session.exitCode().join();
            if (shutdownHook != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(shutdownHook);
                } catch (IllegalStateException e) {
                    // already shutting down
                }
            }
            return status;
        }
    }

    private Request request() {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("ws") && !scheme.equals("wss")) {
            throw new IllegalArgumentException("the URL must start with ws:// or wss://: " + url);
        }
        if (url.getHost() == null) {
            throw new IllegalArgumentException("the URL has no host: " + url);
        }
        List<String> offered = subprotocols;
        if (hub) {
            if (!subprotocols.isEmpty() || binary) {
                throw new IllegalArgumentException("--hub speaks " + HubCodec.JSON_SUBPROTOCOL + " in text messages: "
                        + "leave out --subprotocol and --binary");
            }
            offered = List.of(HubCodec.JSON_SUBPROTOCOL);
            if (url.getRawPath() == null || url.getRawPath().isEmpty() || url.getRawPath().equals("/")) {
                url = url.resolve(HubServer.PATH);
            }
        } else if (token != null) {
            throw new IllegalArgumentException("--token goes with --hub");
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (String header : headers) {
            int colon = header.indexOf(':');
            if (colon <= 0 || header.substring(0, colon).isBlank()) {
                throw new IllegalArgumentException("-H wants 'Name: value', got '" + header + "'");
            }
            fields.put(header.substring(0, colon).strip(), header.substring(colon + 1).strip());
        }
        return new Request(List.copyOf(offered), fields);
    }

    /** One line saying why the connection could not be opened. */
    static String explain(Throwable error) {
        Throwable e = error;
        while ((e instanceof ExecutionException || e instanceof CompletionException) && e.getCause() != null) {
            e = e.getCause();
        }
        if (e instanceof ConnectException) {
            return e.getMessage() == null ? "connection refused" : lowerFirst(e.getMessage());
        }
        if (e instanceof UnresolvedAddressException) {
            return "unknown host";
        }
        if (e instanceof TimeoutException && e.getMessage() == null) {
            return "timed out";
        }
        String message = e.getMessage();
        return message == null ? e.getClass().getSimpleName() : lowerFirst(message);
    }

    /** "Connection refused" → "connection refused", but "TLS …" stays. */
    private static String lowerFirst(String message) {
        if (message.length() > 1 && Character.isUpperCase(message.charAt(0)) && Character.isLowerCase(message.charAt(1))) {
            return Character.toLowerCase(message.charAt(0)) + message.substring(1);
        }
        return message;
    }
}

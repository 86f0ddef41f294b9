package dev.duplex.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.duplex.hub.HubServer;
import dev.duplex.hub.protocol.Command;
import dev.duplex.hub.protocol.Publication;
import dev.duplex.hub.protocol.ServerMessage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code duplex serve} as a user runs it: the hub at /connect, /echo, /broadcast, HTTP endpoints, limits, drain. */
class ServeCommandTest {
    private static final String API_KEY = "serve-test-api-key-0123456789";

    @TempDir
    Path dir;

    private static ServeCommand parse(String... args) {
        return parse(Map.of(), args);
    }

    private static ServeCommand parse(Map<String, String> environment, String... args) {
        ServeCommand serve = new ServeCommand();
        serve.environment = environment;
        serve.err = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        new CommandLine(serve).parseArgs(args);
        return serve;
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static HttpResponse<String> get(HubServer server, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void defaultsAreTheDocumentedOnes() throws Exception {
        ServeCommand serve = parse();
        var config = serve.loadConfig();
        assertThat(config.integer("port")).isEqualTo(8080);
        assertThat(config.string("host")).isEqualTo("127.0.0.1");
        assertThat(config.size("max_message_size")).isEqualTo(1L << 20);
        assertThat(config.integer("max_fragments")).isEqualTo(1_024);
        assertThat(config.size("max_queued_bytes")).isEqualTo(4L << 20);
        assertThat(config.bool("broadcast")).isFalse();
        assertThat(config.duration("ping_interval")).isZero();
        assertThat(config.hubConfig().anonymous()).isTrue();
        assertThat(config.hubConfig().apiKey()).isNull();
        assertThat(config.file()).isNull();
    }

    @Test
    void firstRunServesAnAnonymousHubWithTheApiOffAndSaysHowToTurnItOn() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        ServeCommand serve = parse("--port", "0", "--host", "127.0.0.1");
        serve.err = new PrintStream(log, true, StandardCharsets.UTF_8);
        try (HubServer server = serve.start()) {
            String hubUrl = "ws://127.0.0.1:" + server.port() + "/connect";
            try (HubProbe ann = HubProbe.connected(hubUrl, null); HubProbe bob = HubProbe.connected(hubUrl, null)) {
                bob.subscribe("lobby");
                ann.send(new Command.Publish(ann.nextId(), "lobby", TextNode.valueOf("hi"), null, null));
                assertThat(ann.expect(ServerMessage.Ack.class).offset()).isEqualTo(1);
                assertThat(bob.expect(Publication.class).data().asText()).isEqualTo("hi");
            }
            assertThat(get(server, "/health").statusCode()).isEqualTo(200);
            assertThat(get(server, "/ready").body()).contains("ready");
            assertThat(get(server, "/metrics").body()).containsPattern("(?m)^duplex_connects_total 2(\\.0)?$");
            HttpResponse<String> api = get(server, "/api/channels");
            assertThat(api.statusCode()).isEqualTo(404);
            assertThat(api.body()).contains("The HTTP API is off");
        }
        String lines = log.toString(StandardCharsets.UTF_8);
        assertThat(lines).contains("INFO duplex: Configuration: built-in defaults (no --config file)")
                .containsPattern("INFO duplex: Listening on 127\\.0\\.0\\.1:\\d+ \\(this machine only; --host 0\\.0\\.0\\.0 opens it to the network\\)")
                .containsPattern("INFO duplex: Hub listening on ws://localhost:\\d+/connect .*/echo \\(Ctrl\\+C to stop\\)")
                .contains("anonymous connections allowed; token keys: none")
                .contains("HTTP API off: to turn on http://localhost:")
                .contains("set api_key (16+ characters) in a configuration file or the DUPLEX_API_KEY environment variable");
        // One line per event: the bench runner finds the port in the first ws:// URL.
        assertThat(lines.lines().filter(l -> l.contains("ws://")).findFirst().orElseThrow()).contains("/connect");
    }

    @Test
    void configurationFileEnvironmentAndFlagsInThatOrder() throws Exception {
        Path file = dir.resolve("duplex.yaml");
        Files.writeString(file, String.join("\n",
                "port: 1111",
                "max_headers: 50",
                "hub:",
                "  heartbeat: 30s",
                "  drain_window: 2s",
                "namespaces:",
                "  chat:",
                "    history_size: 10",
                ""));
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        ServeCommand serve = parse(Map.of("DUPLEX_PORT", "0", "DUPLEX_HUB_HEARTBEAT", "20s", "DUPLEX_API_KEY", API_KEY,
                "DUPLEX_MAX_HEADERS", "60"), "--config", file.toString(), "--host", "127.0.0.1", "--max-headers", "70");
        serve.err = new PrintStream(log, true, StandardCharsets.UTF_8);
        try (HubServer server = serve.start()) {
            assertThat(server.port()).isNotEqualTo(1111);                       // env over file
            assertThat(server.hub().config().heartbeat()).isEqualTo(Duration.ofSeconds(20));
            assertThat(server.hub().config().drainWindow()).isEqualTo(Duration.ofSeconds(2));   // file over default
            assertThat(server.hub().config().namespaces().get("chat").historySize()).isEqualTo(10);
            assertThat(serve.config.webSocketOptions().maxHeaderCount()).isEqualTo(70);   // flag over env
            assertThat(serve.config.get("max_headers").source().describe()).isEqualTo("option --max-headers");
            assertThat(serve.config.get("port").source().describe()).isEqualTo("environment variable DUPLEX_PORT");

            HttpResponse<String> channels = HTTP.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + server.port() + "/api/channels"))
                    .header("Authorization", "apikey " + API_KEY).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(channels.statusCode()).isEqualTo(200);
        }
        assertThat(log.toString(StandardCharsets.UTF_8))
                // DUPLEX_MAX_HEADERS is not in effect: --max-headers overrides it.
                .contains("Configuration: " + file.toAbsolutePath() + "; overridden by DUPLEX_PORT, DUPLEX_API_KEY, "
                        + "DUPLEX_HUB_HEARTBEAT, --host, --max-headers")
                .contains("namespaces: the default and chat")
                .contains("HTTP API on: http://localhost:");
    }

    @Test
    void aBadConfigurationExitsWith2NamingEachProblemAndStartsNothing() throws Exception {
        Path file = dir.resolve("duplex.yaml");
        Files.writeString(file, "port: 0\nhub:\n  hearbeat: 25s\napi_key: short\n");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ServeCommand serve = new ServeCommand();
        serve.environment = Map.of("DUPLEX_PROT", "1");
        serve.err = new PrintStream(err, true, StandardCharsets.UTF_8);
        int code = new CommandLine(serve).execute("--config", file.toString(), "--max-headers", "0");
        assertThat(code).isEqualTo(2);
        java.util.List<String> lines = err.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).hasSize(4);
        assertThat(lines.get(0))
                .endsWith("WARNING duplex: ignoring environment variable DUPLEX_PROT: no such setting (did you mean DUPLEX_PORT?)");
        assertThat(lines.subList(1, 4)).containsExactly(
                "duplex serve: unknown key 'hub.hearbeat' in " + file + " line 3 (did you mean 'heartbeat'?)",
                "duplex serve: invalid value for 'max_headers' in option --max-headers: expected a whole number of at least 1, got 0",
                "duplex serve: invalid value for 'api_key' in " + file + " line 4: the API key must be at least 16 characters long");
        assertThat(serve.config).as("nothing started").isNull();
    }

    @Test
    void printConfigShowsTheEffectiveValuesWithSourcesAndMasksSecrets() {
        StringWriter out = new StringWriter();
        CommandLine cli = DuplexCommand.commandLine();
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ServeCommand serve = cli.getSubcommands().get("serve").getCommand();
        serve.environment = Map.of("DUPLEX_API_KEY", API_KEY, "DUPLEX_TOKENS_HMAC_SECRET", "x".repeat(40));
        serve.out = new PrintStream(stdout, true, StandardCharsets.UTF_8);
        cli.setOut(new PrintWriter(out));
        assertThat(cli.execute("serve", "--print-config", "--port", "9999", "--max-message-size", "1MiB")).isZero();
        String printed = stdout.toString(StandardCharsets.UTF_8);
        assertThat(printed).doesNotContain(API_KEY).doesNotContain("xxxxxxxx")
                .containsPattern("(?m)^port: 9999 +# --port$")
                .containsPattern("(?m)^max_message_size: 1MiB +# --max-message-size$")
                .containsPattern("(?m)^api_key: \"\\*\\*\\*\" +# DUPLEX_API_KEY$")
                .containsPattern("(?m)^  hmac_secret: \"\\*\\*\\*\" +# DUPLEX_TOKENS_HMAC_SECRET$")
                .containsPattern("(?m)^  heartbeat: 25s$");
    }

    @Test
    void aBooleanFlagCanTurnOffWhatTheFileTurnedOn() throws Exception {
        Path file = dir.resolve("duplex.yaml");
        Files.writeString(file, "compression: true\ntls_self_signed: false\n");
        var config = parse("--config", file.toString(), "--compression=false").loadConfig();
        assertThat(config.bool("compression")).isFalse();
        assertThat(config.get("compression").source().describe()).isEqualTo("option --compression");
        assertThat(config.webSocketOptions().compression()).isFalse();
        assertThat(parse("--compression").loadConfig().bool("compression")).isTrue();
    }

    @Test
    void theHttpApiPageListsEveryMetricTheHubExports() throws Exception {
        String page = Files.readString(Path.of("..", "docs", "http-api.md"));
        int start = page.indexOf("\n## Metrics\n");
        assertThat(start).as("docs/http-api.md has a Metrics section").isNotNegative();
        int end = page.indexOf("\n## ", start + 1);
        String metrics = page.substring(start, end < 0 ? page.length() : end);
        try (dev.duplex.hub.Hub hub = new dev.duplex.hub.Hub(dev.duplex.hub.HubConfig.defaults())) {
            hub.metrics().published(false);
            hub.metrics().errorReply(107);
            hub.metrics().disconnected(3000);
            hub.metrics().recovery(true);
            hub.metrics().slowConsumer(dev.duplex.hub.SlowConsumerPolicy.DISCONNECT, 1);
            java.util.List<String> names = hub.metrics().scrape().lines().filter(l -> l.startsWith("# TYPE "))
                    .map(l -> l.split(" ")[2]).toList();
            assertThat(names).hasSizeGreaterThanOrEqualTo(16);
            for (String name : names) {
                assertThat(metrics).as("docs/http-api.md documents %s", name).containsPattern("\\| `" + name + "(\\{[a-z]+\\})?` \\|");
            }
        }
    }

    @Test
    void firstRunIsAliveForTheDashboard() throws Exception {
        try (HubServer server = parse("--port", "0", "--host", "127.0.0.1").start()) {
            HttpResponse<String> client = get(server, "/duplex.js");
            assertThat(client.statusCode()).isEqualTo(200);
            assertThat(client.headers().firstValue("Content-Type").orElse("")).startsWith("text/javascript");
            assertThat(client.body()).contains("export class DuplexClient");
            assertThat(get(server, "/vendor/uplot/uPlot.esm.js").statusCode()).isEqualTo(200);
            String hubUrl = "ws://127.0.0.1:" + server.port() + "/connect";
            try (HubProbe page = HubProbe.connected(hubUrl, null)) {
                page.subscribe("sensors:room-1");
                Publication reading = page.expect(Publication.class);
                assertThat(reading.channel()).isEqualTo("sensors:room-1");
                assertThat(reading.data().has("temperature")).isTrue();
                page.subscribe("hub:stats");
                Publication stats = page.expect(Publication.class);
                for (int i = 0; i < 20 && !stats.channel().equals("hub:stats"); i++) { // room-1 keeps publishing
                    stats = page.expect(Publication.class);
                }
                assertThat(stats.data().has("connections")).isTrue();
            }
        }
    }

    @Test
    void noDemoAndNoDashboardTurnThemOff() throws Exception {
        try (HubServer server = parse("--port", "0", "--host", "127.0.0.1", "--no-demo", "--no-dashboard").start()) {
            assertThat(server.hub().config().namespaces()).doesNotContainKeys("sensors", "devices", "commands", "hub");
            assertThat(get(server, "/duplex.js").statusCode()).isEqualTo(404);
            assertThat(get(server, "/health").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void servesAnEchoEndpoint() throws Exception {
        try (HubServer server = parse("--port", "0", "--host", "127.0.0.1").start()) {
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
        try (HubServer server = parse("--port", "0", "--host", "127.0.0.1", "--max-message-size", "1000").start()) {
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
    void shutdownDrainsHubClientsOverTheWindowWith3000AndCloses1001() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        ServeCommand serve = parse(Map.of("DUPLEX_HUB_DRAIN_WINDOW", "1500ms"), "--port", "0", "--host", "127.0.0.1");
        serve.err = new PrintStream(log, true, StandardCharsets.UTF_8);
        HubServer server = serve.start();
        String hubUrl = "ws://127.0.0.1:" + server.port() + "/connect";
        CompletableFuture<Void> stopped = new CompletableFuture<>();
        try (HubProbe first = HubProbe.connected(hubUrl, null); HubProbe second = HubProbe.connected(hubUrl, null)) {
            CompletableFuture.runAsync(serve::shutdown).whenComplete((ok, failure) -> stopped.complete(null));
            // While draining, readiness fails so that load balancers stop sending new clients.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            int ready = 200;
            while (ready != 503 && System.nanoTime() < deadline && !stopped.isDone()) {
                ready = get(server, "/ready").statusCode();
            }
            assertThat(ready).isEqualTo(503);
            for (HubProbe probe : new HubProbe[] {first, second}) {
                ServerMessage.Disconnect d = probe.expect(ServerMessage.Disconnect.class);
                assertThat(d.code()).isEqualTo(3000);
                assertThat(d.reconnect()).isTrue();
                assertThat(d.retryAfter()).isNotNull().isPositive();
                assertThat(probe.awaitClose()).isEqualTo(1001);
            }
            // Staggered: with two clients over 1.5 s, the second is told 0.75 s after the first.
            assertThat(Math.abs(second.disconnectNanos - first.disconnectNanos)).isGreaterThan(TimeUnit.MILLISECONDS.toNanos(300));
            stopped.get(15, TimeUnit.SECONDS);
        } finally {
            if (!stopped.isDone()) {
                server.close();
            }
        }
        assertThat(log.toString(StandardCharsets.UTF_8))
                .contains("Shutting down: draining 2 hub connections over 1500ms (disconnect 3000, close 1001)")
                .contains("INFO duplex: Stopped");
    }

    @Test
    void helpListsTheCommands() {
        StringWriter out = new StringWriter();
        CommandLine cli = DuplexCommand.commandLine();
        cli.setOut(new PrintWriter(out));
        assertThat(cli.execute("--help")).isZero();
        assertThat(out.toString()).contains("serve", "connect", "publish", "autobahn-client");

        StringWriter serveHelp = new StringWriter();
        cli.setOut(new PrintWriter(serveHelp));
        assertThat(cli.execute("serve", "--help")).isZero();
        assertThat(serveHelp.toString()).contains("--config", "--print-config", "(default: 1MiB", "(default: 10s)");
    }

    @Test
    void broadcastDeliversEveryMessageToEveryClientIncludingTheSender() throws Exception {
        try (HubServer server = parse("--port", "0", "--host", "127.0.0.1", "--broadcast").start()) {
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

package dev.duplex.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.TextNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.duplex.hub.HubConfig;
import dev.duplex.hub.HubServer;
import dev.duplex.hub.auth.TokenVerifier;
import dev.duplex.hub.protocol.ClientInfo;
import dev.duplex.hub.protocol.Publication;
import dev.duplex.hub.protocol.ServerMessage;
import dev.duplex.server.cli.connect.HubMessageFormat;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code duplex connect --hub} against a real hub on loopback: typed commands, compact messages. */
class ConnectHubTest {
    private static final String SECRET = "a-test-secret-that-is-long-enough-for-hs256";

    private HubServer server;
    private String url;

    @BeforeEach
    void start() {
        server = HubServer.builder()
                .config(HubConfig.builder().tokens(TokenVerifier.builder().hmacSecret(SECRET).build()).frameTrace(true).build())
                .address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).start();
        url = "ws://127.0.0.1:" + server.port();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static String token(String user) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder().subject(user)
                .expirationTime(new java.util.Date(System.currentTimeMillis() + 3_600_000)).build());
        jwt.sign(new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)));
        return jwt.serialize();
    }

    /** A run of {@code duplex connect}: its streams, and its exit status once it ends. */
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

        int exitCode() throws Exception {
            return exit.get(20, TimeUnit.SECONDS);
        }

        /** Waits until stdout has a line matching {@code regex}; returns the match. */
        Matcher awaitOut(String regex) throws InterruptedException {
            Pattern pattern = Pattern.compile(regex, Pattern.MULTILINE);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (true) {
                Matcher m = pattern.matcher(out());
                if (m.find()) {
                    return m;
                }
                if (System.nanoTime() > deadline || exit.isDone()) {
                    throw new AssertionError("No line like '" + regex + "' within 10 s; stdout:\n" + out() + "\nstderr:\n" + err());
                }
                TimeUnit.MILLISECONDS.sleep(5);
            }
        }

        void awaitErr(String text) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!err().contains(text)) {
                if (System.nanoTime() > deadline || exit.isDone()) {
                    throw new AssertionError("No '" + text + "' within 10 s; stdout:\n" + out() + "\nstderr:\n" + err());
                }
                TimeUnit.MILLISECONDS.sleep(5);
            }
        }
    }

    /** Stdin the test types into, line by line. */
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
    void oneSessionSubscribesAnotherPublishesTheFirstPrintsIt() throws Exception {
        try (Keyboard keyboard = new Keyboard()) {
            Run bob = new Run(keyboard.stdin, "--hub", url);
            bob.awaitErr("Connected to " + url + "/connect (subprotocol duplex.v1.json). Type sub CHANNEL, unsub CHANNEL, pub");
            String bobId = bob.awaitOut("^connected as (\\S+), heartbeat 25000 ms, trace key \\S+$").group(1);
            keyboard.type("sub chat");
            String epoch = bob.awaitOut("^subscribed chat at #0 \\(epoch (\\S+)\\)$").group(1);

            Run ann = new Run(input("pub chat {\"text\":\"hi\"}\npub chat plain words\n"), "--hub", url + "/connect",
                    "--token", token("ann"));
            assertThat(ann.exitCode()).isZero();
            List<String> annLines = ann.out().lines().toList();
            assertThat(annLines).hasSize(3);
            assertThat(annLines.get(0)).startsWith("connected as ");
            assertThat(annLines.subList(1, 3)).containsExactly("ack chat #1", "ack chat #2");
            assertThat(ann.err()).contains("Closed: 1000");

            bob.awaitOut("^\\[chat #1\\] ann: \\{\"text\":\"hi\"\\}$");
            bob.awaitOut("^\\[chat #2\\] ann: \"plain words\"$");

            keyboard.type("presence chat");
            bob.awaitOut("^presence chat: 1 client: " + bobId + "$");
            keyboard.type("history chat 1");
            bob.awaitOut("^history chat at #2 \\(epoch " + epoch + "\\): 1 publication\\n\\[chat #1\\] ann: \\{\"text\":\"hi\"\\}$");

            // Missed while away: the second sub recovers from the last publication printed.
            keyboard.type("unsub chat");
            bob.awaitOut("^unsubscribed chat$");
            server.hub().publish("chat", IntNode.valueOf(3), null).get(5, TimeUnit.SECONDS);
            server.hub().publish("chat", IntNode.valueOf(4), null).get(5, TimeUnit.SECONDS);
            keyboard.type("sub chat");
            bob.awaitOut("^subscribed chat at #4 \\(epoch " + epoch + "\\), recovered 2 publications\\n"
                    + "\\[chat #3\\] \\(server\\): 3\\n\\[chat #4\\] \\(server\\): 4$");

            keyboard.type("ping");
            bob.awaitOut("^pong$");
            keyboard.type("{\"type\":\"subscribe\",\"id\":99}");
            bob.awaitOut("^error 107: Missing field \"channel\"$");
            keyboard.type("frobnicate now");
            bob.awaitErr("Unknown command 'frobnicate'. Type sub CHANNEL");
            keyboard.type("history chat many");
            bob.awaitErr("usage: history CHANNEL [LIMIT]; LIMIT is a number, not 'many'");
            keyboard.type("/quit");
            assertThat(bob.exitCode()).isZero();
        }
    }

    @Test
    void serverDisconnectsArePrintedWithTheirCodeAndAdvice() throws Exception {
        try (Keyboard keyboard = new Keyboard()) {
            Run ann = new Run(keyboard.stdin, "--hub", url, "--token", token("ann"));
            ann.awaitOut("^connected as ");
            assertThat(server.hub().disconnectUser("ann", false, "banned")).isEqualTo(1);
            ann.awaitOut("^disconnect 3502 banned \\(do not reconnect\\)$");
            assertThat(ann.exitCode()).as("closed by the server with 3502").isEqualTo(3);
            assertThat(ann.err()).contains("Closed by the server: 3502");
        }
        try (Keyboard keyboard = new Keyboard()) {
            Run bob = new Run(keyboard.stdin, "--hub", url);
            bob.awaitOut("^connected as ");
            server.hub().drain().get(10, TimeUnit.SECONDS);
            bob.awaitOut("^disconnect 3000 server shutting down, reconnect \\(reconnect after \\d+ ms\\)$");
            assertThat(bob.exitCode()).as("a drain closes with 1001").isZero();
        }
    }

    @Test
    void anIdleSessionKeepsItsConnectionWithHeartbeatPings() throws Exception {
        try (HubServer quick = HubServer.builder().config(HubConfig.builder().heartbeat(java.time.Duration.ofMillis(200)).frameTrace(true).build())
                .address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).start();
             Keyboard keyboard = new Keyboard()) {
            String quickUrl = "ws://127.0.0.1:" + quick.port();
            Run idle = new Run(keyboard.stdin, "--hub", quickUrl);
            idle.awaitOut("^connected as \\S+, heartbeat 200 ms, trace key \\S+$");
            // A client that stays silent is disconnected within a few heartbeats (the hub checks every second)...
            try (HubProbe silent = HubProbe.connected(quickUrl + "/connect", null)) {
                assertThat(silent.expect(ServerMessage.Disconnect.class).code()).isEqualTo(3003);
            }
            // ...but the terminal session pinged all along, without printing the pongs.
            assertThat(idle.exit).isNotDone();
            assertThat(idle.out()).doesNotContain("disconnect", "pong");
            keyboard.type("ping");
            idle.awaitOut("^pong$");
            keyboard.type("/quit");
            assertThat(idle.exitCode()).isZero();
        }
    }

    @Test
    void anInvalidTokenIsRefused() throws Exception {
        Run run = new Run(input(""), "--hub", url, "--token", "not-a-jwt");
        assertThat(run.exitCode()).isEqualTo(3);
        assertThat(run.out()).contains("disconnect 3500 The token is not a signed JWT (three base64url parts) (do not reconnect)");
    }

    @Test
    void hubOptionsThatDoNotGoTogetherAreExit2() throws Exception {
        Run binary = new Run(input(""), "--hub", "--binary", url);
        assertThat(binary.exitCode()).isEqualTo(2);
        assertThat(binary.err()).contains("--hub speaks duplex.v1.json in text messages: leave out --subprotocol and --binary");
        Run token = new Run(input(""), "--token", "x", url + "/echo");
        assertThat(token.exitCode()).isEqualTo(2);
        assertThat(token.err()).contains("--token goes with --hub");
    }

    @Test
    void everyServerMessageHasACompactLine() {
        ClientInfo ann = new ClientInfo("c1", "ann", null);
        ClientInfo anonymous = new ClientInfo("c2", "", null);
        Publication hi = new Publication("chat:lobby", 42, JsonNodeFactory.instance.objectNode().put("text", "hi"), ann, null);
        assertThat(HubMessageFormat.format(hi)).isEqualTo("[chat:lobby #42] ann: {\"text\":\"hi\"}");
        assertThat(HubMessageFormat.format(new Publication("s", 1, TextNode.valueOf("x"), anonymous, "k")))
                .isEqualTo("[s #1] c2: \"x\" (key k)");
        assertThat(HubMessageFormat.format(new ServerMessage.Ack(1L, "chat:lobby", "e", 42, false))).isEqualTo("ack chat:lobby #42");
        assertThat(HubMessageFormat.format(new ServerMessage.Ack(1L, "chat:lobby", "e", 42, true)))
                .isEqualTo("ack chat:lobby #42 (duplicate)");
        assertThat(HubMessageFormat.format(new ServerMessage.Error(1L, 107, "Missing field \"channel\"")))
                .isEqualTo("error 107: Missing field \"channel\"");
        assertThat(HubMessageFormat.format(new ServerMessage.Join("chat:lobby", ann))).isEqualTo("join chat:lobby ann");
        assertThat(HubMessageFormat.format(new ServerMessage.Leave("chat:lobby", anonymous))).isEqualTo("leave chat:lobby c2");
        assertThat(HubMessageFormat.format(new ServerMessage.Disconnect(3000, "shutdown", true, null)))
                .isEqualTo("disconnect 3000 shutdown (reconnect)");
        assertThat(HubMessageFormat.format(new ServerMessage.Disconnect(3006, null, true, 1500L)))
                .isEqualTo("disconnect 3006 (reconnect after 1500 ms)");
        assertThat(HubMessageFormat.format(new ServerMessage.Subscribed(1L, "s", "e", 7, false, List.of())))
                .isEqualTo("subscribed s at #7 (epoch e), not recovered: publications were missed");
        assertThat(HubMessageFormat.format(new ServerMessage.PresenceResult(1L, "s", List.of(ann, anonymous))))
                .isEqualTo("presence s: 2 clients: ann (c1), c2");
        assertThat(HubMessageFormat.format(new ServerMessage.Unsubscribed(null, "s", "namespace removed")))
                .isEqualTo("unsubscribed s: namespace removed");
        assertThat(HubMessageFormat.format(new ServerMessage.Connected(1L, "c1", 25000, null,
                Map.of("s", new ServerMessage.Subscribed(null, "s", "e", 3, true, List.of(hi))), "tk")))
                .isEqualTo("connected as c1, heartbeat 25000 ms, trace key tk\nsubscribed s at #3 (epoch e), recovered 1 publication\n"
                        + "[chat:lobby #42] ann: {\"text\":\"hi\"}");
        assertThat(HubMessageFormat.format(new ServerMessage.Pong(3L))).isEqualTo("pong");
        assertThat(HubMessageFormat.format(new ServerMessage.Tracing(1L, "c9", true))).isEqualTo("tracing c9 on");
        assertThat(HubMessageFormat.format(new ServerMessage.Frame("c9", "in", true, false, false, false, "close", true, 4,
                1000, "bye", 0))).isEqualTo("frame c9 in FIN close masked len=4 1000 \"bye\"");
    }
}

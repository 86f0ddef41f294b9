package dev.duplex.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.hub.HubConfig;
import dev.duplex.hub.HubServer;
import dev.duplex.hub.protocol.Publication;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code duplex publish} against a real hub on loopback, a subscriber checking what arrives. */
class PublishCommandTest {
    private static final String KEY = "publish-test-api-key-0123456789";

    private HubServer server;
    private String url;
    private HubProbe subscriber;

    @BeforeEach
    void start() throws Exception {
        server = HubServer.builder().config(HubConfig.builder().apiKey(KEY).build())
                .address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).start();
        url = "http://127.0.0.1:" + server.port();
        subscriber = HubProbe.connected("ws://127.0.0.1:" + server.port() + "/connect", null);
        subscriber.subscribe("lobby");
    }

    @AfterEach
    void stop() {
        subscriber.close();
        server.close();
    }

    /** One run: exit status, stdout, stderr. */
    private record Run(int exit, String out, String err) {
    }

    private static Run run(Map<String, String> env, String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        InputStream in = new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
        PublishCommand command = new PublishCommand(in, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), env);
        int exit = new CommandLine(command).execute(args);
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Run run(String... args) {
        return run(Map.of(), "", args);
    }

    @Test
    void publishesJsonAndTheSubscriberGetsIt() throws Exception {
        Run run = run("--url", url, "--api-key", KEY, "lobby", "{\"text\":\"hi\"}");
        assertThat(run.exit()).isZero();
        assertThat(run.out()).matches("Published to lobby at offset 1 \\(epoch \\S+\\)\\R");
        assertThat(run.err()).isEmpty();
        Publication p = subscriber.expect(Publication.class);
        assertThat(p.offset()).isEqualTo(1);
        assertThat(p.data().path("text").asText()).isEqualTo("hi");
    }

    @Test
    void textThatIsNotJsonIsSentAsAStringAndTheKeyMayComeFromTheEnvironment() throws Exception {
        Run run = run(Map.of("DUPLEX_API_KEY", KEY), "", "--url", url, "lobby", "hello world");
        assertThat(run.exit()).isZero();
        Publication p = subscriber.expect(Publication.class);
        assertThat(p.data().isTextual()).isTrue();
        assertThat(p.data().asText()).isEqualTo("hello world");

        assertThat(run(Map.of("DUPLEX_API_KEY", KEY), "", "--url", url, "lobby", "42").exit()).isZero();
        assertThat(subscriber.expect(Publication.class).data().isInt()).isTrue();
    }

    @Test
    void dashReadsStandardInput() throws Exception {
        Run run = run(Map.of(), "{\"reading\": 21.5}\n", "--url", url, "--api-key", KEY, "lobby", "-");
        assertThat(run.exit()).isZero();
        assertThat(subscriber.expect(Publication.class).data().path("reading").asDouble()).isEqualTo(21.5);

        Run text = run(Map.of(), "two\nlines\n", "--url", url, "--api-key", KEY, "lobby", "-");
        assertThat(text.exit()).isZero();
        assertThat(subscriber.expect(Publication.class).data().asText()).isEqualTo("two\nlines");
    }

    @Test
    void anIdempotencyKeyMakesARetryADuplicate() throws Exception {
        Run first = run("--url", url, "--api-key", KEY, "--idempotency-key", "order-7", "lobby", "1");
        Run retry = run("--url", url, "--api-key", KEY, "--idempotency-key", "order-7", "lobby", "1");
        assertThat(first.exit()).isZero();
        assertThat(retry.exit()).isZero();
        assertThat(retry.out()).startsWith("Already published to lobby at offset 1 (epoch ")
                .contains("duplicate of an earlier publish with idempotency key order-7, not published again");
        Run json = run("--url", url, "--api-key", KEY, "--idempotency-key", "order-7", "--json", "lobby", "1");
        assertThat(json.out()).contains("\"duplicate\":true", "\"offset\":1", "\"channel\":\"lobby\"");
        assertThat(subscriber.expect(Publication.class).offset()).isEqualTo(1);
        assertThat(subscriber.poll(200)).as("published once").isNull();
    }

    @Test
    void aMissingOrWrongKeyIsExit4WithAHint() {
        Run missing = run("--url", url, "lobby", "1");
        assertThat(missing.exit()).isEqualTo(4);
        assertThat(missing.err()).isEqualTo("duplex publish: 401 Unauthorized: no API key given; pass --api-key KEY or set "
                + "DUPLEX_API_KEY (the hub's api_key setting)" + System.lineSeparator());
        Run wrong = run(Map.of("DUPLEX_API_KEY", "not-the-key-0123456789"), "", "--url", url, "lobby", "1");
        assertThat(wrong.exit()).isEqualTo(4);
        assertThat(wrong.err()).contains("the hub refused the API key from DUPLEX_API_KEY; it must equal the hub's api_key setting");
    }

    @Test
    void theHubsRefusalsAreExit3WithItsMessage() {
        Run unknown = run("--url", url, "--api-key", KEY, "nope:x", "1");
        assertThat(unknown.exit()).isEqualTo(3);
        assertThat(unknown.err()).isEqualTo("duplex publish: the hub answered 400: No namespace is configured for channel 'nope:x'"
                + System.lineSeparator());
        Run spaces = run("--url", url, "--api-key", KEY, "a b", "1");
        assertThat(spaces.exit()).isEqualTo(3);
        assertThat(spaces.err()).contains("400: Field \"channel\" must not contain spaces or control characters");
    }

    @Test
    void aHubWithoutApiKeySaysHowToTurnTheApiOn() {
        try (HubServer off = HubServer.builder().config(HubConfig.defaults())
                .address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).start()) {
            Run run = run("--url", "http://127.0.0.1:" + off.port(), "--api-key", KEY, "lobby", "1");
            assertThat(run.exit()).isEqualTo(3);
            assertThat(run.err()).contains("the hub's HTTP API is off: start it with an api_key");
        }
    }

    @Test
    void anUnreachableHubIsExit1() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Run run = run("--url", "http://127.0.0.1:" + port, "--api-key", KEY, "lobby", "1");
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("duplex publish: could not reach the hub at http://127.0.0.1:" + port
                + "/api/publish: connection refused (is duplex serve running there?)" + System.lineSeparator());
    }

    @Test
    void badArgumentsAreExit2() {
        Run scheme = run("--url", "ftp://127.0.0.1:1", "lobby", "1");
        assertThat(scheme.exit()).isEqualTo(2);
        assertThat(scheme.err()).contains("--url must start with http:// or https://");
        assertThat(run("lobby").exit()).as("DATA missing").isEqualTo(2);
    }

    @Test
    void urlsOfTheHubAreAcceptedAsTheyAreUsuallyWritten() {
        assertThat(PublishCommand.endpoint("http://localhost:8080").toString()).isEqualTo("http://localhost:8080/api/publish");
        assertThat(PublishCommand.endpoint("http://localhost:8080/").toString()).isEqualTo("http://localhost:8080/api/publish");
        assertThat(PublishCommand.endpoint("ws://localhost:8080/connect").toString()).isEqualTo("http://localhost:8080/api/publish");
        assertThat(PublishCommand.endpoint("wss://hub.example/realtime").toString())
                .isEqualTo("https://hub.example/realtime/api/publish");
    }
}

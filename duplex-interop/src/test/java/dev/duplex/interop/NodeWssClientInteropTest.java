package dev.duplex.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.conformance.ConformanceLimits;
import dev.duplex.conformance.EchoListener;
import dev.duplex.testkit.TestCertificates;
import dev.duplex.websocket.WebSocketOptions;
import dev.duplex.websocket.WebSocketServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Node's {@code ws} as a wss:// CLIENT ({@code node/client.mjs <url> <scenario> --ca FILE}) against
 * our {@code WebSocketServer} with TLS: Node (OpenSSL) verifies our chain against a test CA and the
 * host name, then the scenarios run over TLS.
 */
class NodeWssClientInteropTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    static Path dir;

    private static NodePeers.Setup node;
    private static WebSocketServer server;
    private static Path caPem;
    private final List<NodeProcess> processes = new ArrayList<>();

    @BeforeAll
    static void start() {
        node = NodePeers.require();
        TestCertificates certs = TestCertificates.create("localhost", "127.0.0.1");
        caPem = certs.writeCaPem(dir.resolve("test-ca.pem"));
        server = WebSocketServer.builder()
                .tls(certs.serverContext())
                .options(WebSocketOptions.defaults().withMaxMessageBytes(ConformanceLimits.AUTOBAHN_MESSAGE_BYTES).withMaxFragments(ConformanceLimits.AUTOBAHN_FRAGMENTS).withMaxQueuedBytes(ConformanceLimits.AUTOBAHN_QUEUE_BYTES))
                .route("/echo", EchoListener.INSTANCE)
                .startOnLoopback(0);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close(Duration.ofSeconds(2));
        }
    }

    @AfterEach
    void endProcesses() {
        processes.forEach(NodeProcess::close);
    }

    @Test
    void textOverWssWithTheTestCaAndHostnameVerification() {
        List<Map<String, Object>> events = run("wss://localhost:" + server.port() + "/echo", "text");
        assertThat(messages(events)).extracting(m -> m.get("text")).containsExactly("hello", "h\u00e9llo w\u00f6rld",
                "\u0395\u03bb\u03bb\u03b7\u03bd\u03b9\u03ba\u03ac \u65e5\u672c\u8a9e",
                "emoji \uD83D\uDE00\uD83C\uDF89\uD83D\uDC4D\uD83C\uDFFD", "");
        assertThat(close(events).get("code")).isEqualTo(1000L);
    }

    @Test
    void sixteenMebibyteMessagesOverWssByIpAddress() {
        List<Map<String, Object>> events = run("wss://127.0.0.1:" + server.port() + "/echo", "large");
        List<Map<String, Object>> messages = messages(events);
        assertThat(messages).hasSize(2);
        assertThat(messages.get(0).get("sha256")).isEqualTo(Patterns.sha256(Patterns.binary(Patterns.MIB_16)));
        assertThat(messages.get(1).get("sha256")).isEqualTo(Patterns.sha256(Patterns.text(Patterns.MIB_16 / 16)));
        assertThat(close(events).get("code")).isEqualTo(1000L);
    }

    @Test
    void withoutTheCaNodeRefusesOurCertificate() {
        NodeProcess p = NodeProcess.start(node, "client.mjs", "wss://localhost:" + server.port() + "/echo", "open");
        processes.add(p);
        List<Map<String, Object>> events = p.eventsUntilDone(TIMEOUT);
        assertThat(events.stream().filter(e -> "open".equals(e.get("event")))).isEmpty();
        assertThat(events.stream().filter(e -> "error".equals(e.get("event"))).map(e -> String.valueOf(e.get("message"))))
                .as("ws reports the untrusted certificate; " + p.diagnostics())
                .anySatisfy(m -> assertThat(m.toLowerCase()).contains("certificate"));
    }

    private List<Map<String, Object>> run(String url, String scenario) {
        NodeProcess p = NodeProcess.start(node, "client.mjs", url, scenario, "--ca", caPem.toString());
        processes.add(p);
        List<Map<String, Object>> events = p.eventsUntilDone(TIMEOUT);
        assertThat(events.stream().filter(e -> "error".equals(e.get("event")))).as("errors reported by ws; "
                + p.diagnostics()).isEmpty();
        return events;
    }

    private static List<Map<String, Object>> messages(List<Map<String, Object>> events) {
        return events.stream().filter(e -> "message".equals(e.get("event"))).toList();
    }

    private static Map<String, Object> close(List<Map<String, Object>> events) {
        List<Map<String, Object>> closes = events.stream().filter(e -> "close".equals(e.get("event"))).toList();
        assertThat(closes).as("close events among " + events).hasSize(1);
        return closes.get(0);
    }
}

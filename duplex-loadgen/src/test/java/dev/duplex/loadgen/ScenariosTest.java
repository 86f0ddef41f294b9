package dev.duplex.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.duplex.conformance.EchoListener;
import dev.duplex.testkit.MiniJson;
import dev.duplex.websocket.WebSocketOptions;
import dev.duplex.websocket.WebSocketServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every scenario, with tiny parameters, against a real Duplex server on loopback: the CI smoke
 * test of {@code duplex bench}. Each run's last output line must be JSON with no errors.
 */
class ScenariosTest {
    private static WebSocketServer server;
    private static BroadcastTestListener broadcast;

    @BeforeAll
    static void startServer() {
        broadcast = new BroadcastTestListener();
        server = WebSocketServer.builder()
                .route("/echo", EchoListener.INSTANCE)
                .route("/broadcast", broadcast)
                .eventLoops(1)
                .options(WebSocketOptions.defaults().withMaxConnectionsPerAddress(10_000))
                .startOnLoopback(0);
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    private static URI url(String path) {
        return URI.create("ws://127.0.0.1:" + server.port() + path);
    }

    /** Prints the report as the CLI does and parses its last line. */
    static Map<String, Object> printAndParse(BenchReport report, ByteArrayOutputStream progress) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        report.print(new PrintStream(out, true, StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        String[] lines = text.split("\n");
        String last = lines[lines.length - 1];
        assertThat(last).startsWith("{\"scenario\":");
        Map<String, Object> json = MiniJson.parseObject(last);
        assertThat(report.exitCode()).as("exit code; report:%n%s%nprogress:%n%s", text, progress).isZero();
        return json;
    }

    static double number(Map<String, Object> json, String key) {
        assertThat(json).containsKey(key);
        return ((Number) json.get(key)).doubleValue();
    }

    private static PrintStream stream(ByteArrayOutputStream bytes) {
        return new PrintStream(bytes, true, StandardCharsets.UTF_8);
    }

    @Test
    void echoClosedLoopBinary() {
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        BenchReport report = EchoBenchmark.run(new EchoBenchmark.Options(url("/echo"), 4, 2, 64, false, 1.0, 0.2, 0, 1),
                stream(progress));
        Map<String, Object> json = printAndParse(report, progress);
        assertThat(json.get("scenario")).isEqualTo("echo");
        assertThat(json.get("mode")).isEqualTo("closed");
        assertThat(number(json, "messages")).isPositive();
        assertThat(number(json, "messages_per_s")).isPositive();
        assertThat(number(json, "errors")).isZero();
        assertThat(number(json, "lost")).isZero();
        assertThat(number(json, "sent")).isEqualTo(number(json, "received"));
        @SuppressWarnings("unchecked")
        Map<String, Object> latency = (Map<String, Object>) json.get("latency_us");
        assertThat(((Number) latency.get("count")).longValue()).isPositive();
        assertThat(((Number) latency.get("p50")).doubleValue()).isPositive();
        assertThat(((Number) latency.get("max")).doubleValue()).isGreaterThanOrEqualTo(((Number) latency.get("p99")).doubleValue());
        assertThat(progress.toString(StandardCharsets.UTF_8)).contains("connections open");
    }

    @Test
    void echoAgainstABareTcpEcho() throws Exception {
        // The physical floor: a TCP echo that returns our (masked) frames as they are.
        try (dev.duplex.transport.EventLoopGroup loops = new dev.duplex.transport.EventLoopGroup(1);
                dev.duplex.transport.TcpServer tcpEcho = dev.duplex.transport.TcpServer.bind(loops,
                        new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0),
                        dev.duplex.transport.TransportOptions.defaults(), () -> new dev.duplex.transport.ConnectionHandler() {
                            @Override
                            public void onOpen(dev.duplex.transport.TcpConnection connection) {
                            }

                            @Override
                            public void onData(dev.duplex.transport.TcpConnection connection, java.nio.ByteBuffer data) {
                                connection.write(data);
                            }

                            @Override
                            public void onClosed(dev.duplex.transport.TcpConnection connection, Throwable cause) {
                            }
                        })) {
            URI raw = URI.create("ws://127.0.0.1:" + tcpEcho.localAddress().getPort() + "/");
            ByteArrayOutputStream progress = new ByteArrayOutputStream();
            BenchReport report = EchoBenchmark.run(new EchoBenchmark.Options(raw, 2, 4, 64, false, 0.5, 0, 0, 1, true),
                    stream(progress));
            Map<String, Object> json = printAndParse(report, progress);
            assertThat(number(json, "messages")).isPositive();
            assertThat(number(json, "errors")).isZero();
            assertThat(number(json, "lost")).isZero();
        }
    }

    @Test
    void echoTextAndLargeMessages() {
        for (int size : new int[] {64, 1024, 64 * 1024}) {
            for (boolean text : new boolean[] {false, true}) {
                ByteArrayOutputStream progress = new ByteArrayOutputStream();
                BenchReport report = EchoBenchmark.run(
                        new EchoBenchmark.Options(url("/echo"), 2, 2, size, text, 0.3, 0, 0, 1), stream(progress));
                Map<String, Object> json = printAndParse(report, progress);
                assertThat(json.get("type")).isEqualTo(text ? "text" : "binary");
                assertThat(number(json, "size")).isEqualTo(size);
                assertThat(number(json, "messages")).as("size %d text %s", size, text).isPositive();
                assertThat(number(json, "errors")).isZero();
                assertThat(number(json, "lost")).isZero();
            }
        }
    }

    @Test
    void echoOpenLoopAtAFixedRateSendsAboutThatMany() {
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        BenchReport report = EchoBenchmark.run(new EchoBenchmark.Options(url("/echo"), 4, 1, 64, false, 1.0, 0, 2_000, 2),
                stream(progress));
        Map<String, Object> json = printAndParse(report, progress);
        assertThat(json.get("mode")).isEqualTo("open");
        // 2,000/s for 1 s: every intended message goes out (none is skipped when the server keeps up).
        assertThat(number(json, "sent")).isBetween(1_990.0, 2_000.0);
        assertThat(number(json, "lost")).isZero();
        assertThat(number(json, "errors")).isZero();
        @SuppressWarnings("unchecked")
        Map<String, Object> latency = (Map<String, Object>) json.get("latency_us");
        assertThat(((Number) latency.get("count")).doubleValue()).isEqualTo(number(json, "sent"));
    }

    @Test
    void connectOpensHoldsAndMeasures() {
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        long pid = ProcessHandle.current().pid(); // the server runs in this JVM
        BenchReport report = ConnectBenchmark.run(new ConnectBenchmark.Options(url("/echo"), 50, 500,
                List.of(InetAddress.getLoopbackAddress(), addr("127.0.0.2")), 0, pid, 1, true), stream(progress));
        Map<String, Object> json = printAndParse(report, progress);
        assertThat(json.get("scenario")).isEqualTo("connect");
        assertThat(number(json, "opened")).isEqualTo(50);
        assertThat(number(json, "open_after_hold")).isEqualTo(50);
        assertThat(number(json, "errors")).isZero();
        assertThat(number(json, "handshakes_per_s")).isPositive();
        assertThat(number(json, "server_rss_after")).isPositive();
        assertThat(json).containsKey("server_bytes_per_connection");
        // --jvm-memory: jcmd read this JVM's live heap after a full GC; it runs without NMT, so no native figure.
        assertThat(number(json, "server_live_heap_after")).isPositive();
        assertThat(json).containsKey("server_heap_bytes_per_connection");
        assertThat(json.get("server_native_after")).isNull();
        @SuppressWarnings("unchecked")
        Map<String, Object> latency = (Map<String, Object>) json.get("handshake_latency_us");
        assertThat(((Number) latency.get("count")).longValue()).isEqualTo(50);
    }

    @Test
    void fanoutDeliversEveryPublicationToEverySubscriberOnce() {
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        BenchReport report = FanoutBenchmark.run(new FanoutBenchmark.Options(url("/broadcast"), 5, 50, 64, 1.0, 1),
                stream(progress));
        Map<String, Object> json = printAndParse(report, progress);
        assertThat(json.get("scenario")).isEqualTo("fanout");
        double published = number(json, "published");
        assertThat(published).isBetween(45.0, 50.0);
        assertThat(number(json, "messages")).isEqualTo(published * 5);
        assertThat(number(json, "lost")).isZero();
        assertThat(number(json, "duplicated")).isZero();
        assertThat(number(json, "errors")).isZero();
    }

    @Test
    void lostEchoesAndRefusedConnectionsAreErrors() throws Exception {
        // Nothing listens on this port: every connection is refused, and the exit code says so.
        int closedPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        BenchReport report = EchoBenchmark.run(new EchoBenchmark.Options(URI.create("ws://127.0.0.1:" + closedPort + "/echo"),
                2, 1, 64, false, 0.2, 0, 0, 1), stream(new ByteArrayOutputStream()));
        assertThat(report.exitCode()).isEqualTo(1);
        Map<String, Object> json = MiniJson.parseObject(report.json());
        assertThat(number(json, "errors")).isPositive();
        assertThat(json.get("errors_by_kind").toString()).contains("connect_refused");
    }

    @Test
    void moreConnectionsThanDescriptorsIsRefusedUpFront() {
        assertThatThrownBy(() -> ConnectBenchmark.run(new ConnectBenchmark.Options(url("/echo"), 1_000_000, 1000,
                List.of(), 0, 0, 1, false), stream(new ByteArrayOutputStream())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ulimit -n")
                .hasMessageContaining("several generator processes");
    }

    @Test
    void badOptionsSayWhatIsWrong() {
        assertThatThrownBy(() -> new EchoBenchmark.Options(url("/echo"), 1, 1, 8, true, 1, 0, 0, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--size");
        assertThatThrownBy(() -> EchoBenchmark.run(new EchoBenchmark.Options(URI.create("wss://127.0.0.1:1/echo"),
                1, 1, 64, false, 1, 0, 0, 1), System.err))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ws://");
        assertThatThrownBy(() -> new FanoutBenchmark.Options(url("/broadcast"), 1, 10, 8, 1, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("16");
    }

    private static InetAddress addr(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}

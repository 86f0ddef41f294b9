package dev.duplex.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.duplex.hub.HubConfig;
import dev.duplex.hub.HubServer;
import dev.duplex.hub.NamespaceConfig;
import dev.duplex.testkit.MiniJson;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code duplex bench fanout --hub} against a real hub on loopback ({@link HubServer}, the in-memory
 * broker): every acknowledged publication reaches every subscriber once, with consecutive offsets.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HubFanoutTest {
    private static HubServer hub;

    @BeforeAll
    static void startHub() {
        // The default namespace as shipped (join/leave on), plus "bench" without join/leave pushes.
        HubConfig config = HubConfig.builder()
                .namespace("bench", NamespaceConfig.builder().joinLeave(false).presence(false).build())
                .build();
        hub = HubServer.builder().config(config).address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).start();
    }

    @AfterAll
    static void stopHub() {
        if (hub != null) {
            hub.close();
        }
    }

    private static URI url() {
        return URI.create("ws://127.0.0.1:" + hub.port() + HubServer.PATH);
    }

    private static PrintStream stream(ByteArrayOutputStream bytes) {
        return new PrintStream(bytes, true, StandardCharsets.UTF_8);
    }

    @Test
    void everyPublicationReachesEverySubscriberOnceWithConsecutiveOffsets() {
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        BenchReport report = HubFanoutBenchmark.run(new HubFanoutBenchmark.Options(url(), "fanout", 20, 20, 64, 2.0, 1, 0,
                HubFanoutBenchmark.DEFAULT_CONNECT_RATE), stream(progress));
        Map<String, Object> json = ScenariosTest.printAndParse(report, progress);
        assertThat(json.get("scenario")).isEqualTo("fanout");
        assertThat(json.get("mode")).isEqualTo("hub");
        double published = ScenariosTest.number(json, "published");
        assertThat(published).isBetween(38.0, 40.0);
        assertThat(ScenariosTest.number(json, "publishers")).isEqualTo(1);
        assertThat(ScenariosTest.number(json, "acks")).isEqualTo(published);
        assertThat(ScenariosTest.number(json, "subscribers_opened")).isEqualTo(20);
        assertThat(ScenariosTest.number(json, "deliveries")).isEqualTo(published * 20);
        assertThat(ScenariosTest.number(json, "lost")).isZero();
        assertThat(ScenariosTest.number(json, "duplicated")).isZero();
        assertThat(ScenariosTest.number(json, "offset_gaps")).isZero();
        assertThat(ScenariosTest.number(json, "offset_repeats")).isZero();
        assertThat(ScenariosTest.number(json, "errors")).isZero();
        // The default namespace pushes each join to the other subscribers that are live when it reaches them;
        // ignored but counted. Joins travel asynchronously, so two subscribers that subscribe at about the same
        // time can each see the other's join: the bound is every ordered pair, 20 × 19, never a self-join.
        assertThat(ScenariosTest.number(json, "join_leave_pushes")).isLessThanOrEqualTo(20 * 19);
        for (String key : new String[] {"latency_us", "ack_latency_us"}) {
            @SuppressWarnings("unchecked")
            Map<String, Object> latency = (Map<String, Object>) json.get(key);
            assertThat(((Number) latency.get("count")).doubleValue()).as(key).isEqualTo(key.equals("latency_us") ? published * 20 : published);
            assertThat(((Number) latency.get("p50")).doubleValue()).as(key).isPositive();
            assertThat(((Number) latency.get("p99")).doubleValue()).as(key).isGreaterThanOrEqualTo(((Number) latency.get("p50")).doubleValue());
            assertThat(latency).containsKeys("p90", "p999", "max");
        }
    }

    @Test
    void aRateAboveTheHubsCommandLimitIsSpreadOverPublishers() {
        // 150/s from one connection would exceed the hub's 100 commands/s (error 110); two publishers stay under it.
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        BenchReport report = HubFanoutBenchmark.run(new HubFanoutBenchmark.Options(url(), "bench:fanout", 5, 150, 256, 2.0, 2, 0,
                HubFanoutBenchmark.DEFAULT_CONNECT_RATE), stream(progress));
        Map<String, Object> json = ScenariosTest.printAndParse(report, progress);
        assertThat(ScenariosTest.number(json, "publishers")).isEqualTo(2);
        double published = ScenariosTest.number(json, "published");
        assertThat(published).isBetween(290.0, 300.0);
        assertThat(ScenariosTest.number(json, "acks")).isEqualTo(published);
        assertThat(ScenariosTest.number(json, "publish_errors")).isZero();
        assertThat(ScenariosTest.number(json, "deliveries")).isEqualTo(published * 5);
        assertThat(ScenariosTest.number(json, "offset_gaps")).isZero();
        assertThat(ScenariosTest.number(json, "join_leave_pushes")).isZero();
    }

    @Test
    void oneOverloadedPublisherIsRefusedByTheHubAndTheRunFails() {
        // --publishers 1 at 2,000/s for a second: the hub allows a burst of 200 and 100/s after it, so it answers
        // error 110 unless sending the 2,000 took over 18 s; the report says so. (At 300/s only the last one or
        // two publications were past the limit, and a publisher slowed by a busy machine stayed under it.)
        BenchReport report = HubFanoutBenchmark.run(new HubFanoutBenchmark.Options(url(), "bench:limited", 2, 2_000, 64, 1.0, 1, 1,
                HubFanoutBenchmark.DEFAULT_CONNECT_RATE), stream(new ByteArrayOutputStream()));
        assertThat(report.exitCode()).isEqualTo(1);
        Map<String, Object> json = MiniJson.parseObject(report.json());
        assertThat(ScenariosTest.number(json, "publish_errors")).isPositive();
        assertThat(json.get("errors_by_kind").toString()).contains("hub_error_110");
        assertThat(ScenariosTest.number(json, "lost")).as("refused publications are not lost deliveries").isZero();
    }

    @Test
    void anUnknownNamespaceIsReportedWithTheHubsError() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BenchReport report = HubFanoutBenchmark.run(new HubFanoutBenchmark.Options(url(), "nope:fanout", 2, 10, 64, 0.5, 1, 0,
                HubFanoutBenchmark.DEFAULT_CONNECT_RATE), stream(new ByteArrayOutputStream()));
        report.print(stream(out));
        assertThat(report.exitCode()).isEqualTo(1);
        assertThat(report.json()).contains("hub_error_102");
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("namespace is not configured");
    }

    @Test
    void aServerWithoutTheHubSubprotocolFailsTheHandshake() {
        dev.duplex.websocket.WebSocketServer plain = dev.duplex.websocket.WebSocketServer.builder()
                .route("/connect", dev.duplex.conformance.EchoListener.INSTANCE).eventLoops(1).startOnLoopback(0);
        try {
            BenchReport report = HubFanoutBenchmark.run(new HubFanoutBenchmark.Options(
                    URI.create("ws://127.0.0.1:" + plain.port() + "/connect"), "fanout", 2, 10, 64, 0.5, 1, 0,
                    HubFanoutBenchmark.DEFAULT_CONNECT_RATE), stream(new ByteArrayOutputStream()));
            assertThat(report.exitCode()).isEqualTo(1);
            assertThat(report.json()).contains("handshake_no_subprotocol");
        } finally {
            plain.close();
        }
    }

    @Test
    void badOptionsSayWhatIsWrong() {
        assertThatThrownBy(() -> new HubFanoutBenchmark.Options(url(), "", 1, 10, 64, 1, 1, 0, 900))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--channel");
        assertThatThrownBy(() -> new HubFanoutBenchmark.Options(url(), "fanout", 1, 10, 32, 1, 1, 0, 900))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--size");
        assertThatThrownBy(() -> new HubFanoutBenchmark.Options(url(), "fanout", 1, 10, 64, 1, 1, 0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--connect-rate");
        assertThat(HubFanoutBenchmark.publishersFor(10)).isEqualTo(1);
        assertThat(HubFanoutBenchmark.publishersFor(80)).isEqualTo(1);
        assertThat(HubFanoutBenchmark.publishersFor(81)).isEqualTo(2);
        assertThat(HubFanoutBenchmark.publishersFor(1000)).isEqualTo(13);
    }
}

package dev.duplex.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.conformance.EchoListener;
import dev.duplex.testkit.MiniJson;
import dev.duplex.websocket.WebSocketServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The generator's hot path allocates (almost) nothing per message: measured with the JVM's
 * per-thread allocation counters on the generator's loop threads between the end of the warm-up
 * and the end of the run (the server, in this JVM too, runs on other threads).
 */
class AllocationTest {

    @Test
    void echoAllocatesLessThan64BytesPerMessageAfterWarmUp() {
        WebSocketServer server = WebSocketServer.builder().route("/echo", EchoListener.INSTANCE).eventLoops(1).startOnLoopback(0);
        try {
            URI url = URI.create("ws://127.0.0.1:" + server.port() + "/echo");
            for (boolean text : new boolean[] {false, true}) {
                ByteArrayOutputStream progress = new ByteArrayOutputStream();
                BenchReport report = EchoBenchmark.run(new EchoBenchmark.Options(url, 4, 8, 64, text, 1.5, 1.0, 0, 1),
                        new PrintStream(progress, true, StandardCharsets.UTF_8));
                Map<String, Object> json = MiniJson.parseObject(report.json());
                assertThat(report.exitCode()).as(report.json()).isZero();
                assertThat(((Number) json.get("messages")).longValue()).isGreaterThan(1_000);
                assertThat(json.get("alloc_bytes_per_message")).as("allocation is measurable on this JVM").isNotNull();
                double perMessage = ((Number) json.get("alloc_bytes_per_message")).doubleValue();
                assertThat(perMessage).as("bytes allocated per echoed %s message", text ? "text" : "binary").isLessThan(64);
            }
        } finally {
            server.close();
        }
    }
}

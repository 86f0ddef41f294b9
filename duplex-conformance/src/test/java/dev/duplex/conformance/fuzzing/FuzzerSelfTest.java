package dev.duplex.conformance.fuzzing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.conformance.EchoListener;
import dev.duplex.conformance.cases.AutobahnCases;
import dev.duplex.conformance.cases.CaseResult;
import dev.duplex.conformance.cases.Verdict;
import dev.duplex.websocket.WebSocket;
import dev.duplex.websocket.WebSocketListener;
import dev.duplex.websocket.WebSocketServer;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The fuzzing client notices servers that misbehave: a suite that always says OK proves nothing. */
class FuzzerSelfTest {
    private static WebSocketServer server;
    private static URI base;

    @BeforeAll
    static void start() {
        server = WebSocketServer.builder()
                .route("/echo", EchoListener.INSTANCE)
                .route("/silent", new WebSocketListener() { })
                .route("/wrong", new WebSocketListener() {
                    @Override
                    public void onText(WebSocket ws, String text) {
                        ws.sendBinary(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
                    }
                })
                .startOnLoopback(0);
        base = URI.create("ws://127.0.0.1:" + server.port());
    }

    @AfterAll
    static void stop() {
        server.close(Duration.ofSeconds(1));
    }

    private static CaseResult run(String path, String id) {
        return new FuzzingClient(base.resolve(path)).withTimeLimit(Duration.ofSeconds(10)).run(AutobahnCases.byId(id));
    }

    @Test
    void echoServerPasses() {
        assertThat(run("/echo", "1.1.2").verdict()).isEqualTo(Verdict.OK);
    }

    @Test
    void serverThatDoesNotEchoFails() {
        CaseResult r = run("/silent", "1.1.2");
        assertThat(r.verdict()).isEqualTo(Verdict.FAILED);
        assertThat(r.detail()).contains("events []");
    }

    @Test
    void serverThatEchoesTextAsBinaryFails() {
        assertThat(run("/wrong", "1.1.2").verdict()).isEqualTo(Verdict.FAILED);
    }

    @Test
    void unknownPathIsAFailedHandshake() {
        CaseResult r = run("/nowhere", "1.1.1");
        assertThat(r.verdict()).isEqualTo(Verdict.FAILED);
        assertThat(r.detail()).contains("handshake");
    }

    @Test
    void onlyLoopbackIsAllowed() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new FuzzingClient(URI.create("ws://192.0.2.1:80/echo")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}

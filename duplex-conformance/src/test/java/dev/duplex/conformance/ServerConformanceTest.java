package dev.duplex.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.conformance.cases.AutobahnCase;
import dev.duplex.conformance.cases.AutobahnCases;
import dev.duplex.conformance.cases.CaseResult;
import dev.duplex.conformance.fuzzing.FuzzingClient;
import dev.duplex.websocket.WebSocketOptions;
import dev.duplex.websocket.WebSocketServer;
import java.net.URI;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every Autobahn case of sections 1–7, 9 and 10 against our {@link WebSocketServer}'s echo
 * endpoint, played by {@link FuzzingClient}; each verdict is diffed against
 * {@code expected-verdicts.txt}.
 */
class ServerConformanceTest {
    /** Far above what any passing case needs (section 9's largest take about a second). */
    static final Duration CASE_LIMIT = Duration.ofSeconds(30);

    private static WebSocketServer server;
    private static FuzzingClient fuzzer;
    private static ExpectedVerdicts expected;

    @BeforeAll
    static void start() {
        WebSocketOptions options = WebSocketOptions.defaults()
                .withMaxMessageBytes(ConformanceLimits.AUTOBAHN_MESSAGE_BYTES).withMaxFragments(ConformanceLimits.AUTOBAHN_FRAGMENTS)
                .withMaxQueuedBytes(256L << 20);
        server = WebSocketServer.builder().options(options).route("/echo", EchoListener.INSTANCE).startOnLoopback(0);
        fuzzer = new FuzzingClient(URI.create("ws://127.0.0.1:" + server.port() + "/echo")).withTimeLimit(CASE_LIMIT);
        expected = ExpectedVerdicts.load();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close(Duration.ofSeconds(2));
        }
    }

    @TestFactory
    Stream<DynamicTest> autobahnCases() {
        return AutobahnCases.withoutCompression().stream().map(c -> DynamicTest.dynamicTest(c.displayName(), () -> check(c)));
    }

    private static void check(AutobahnCase c) {
        CaseResult result = fuzzer.run(c);
        if (result.verdict() != dev.duplex.conformance.cases.Verdict.OK) {
            System.out.println("server " + result.summary());
        }
        ExpectedVerdicts.Expectation want = expected.forServer(c.id());
        assertThat(want).as("%s is missing from %s", c.id(), ExpectedVerdicts.RESOURCE).isNotNull();
        assertThat(result.verdict()).as("server %s", result.summary()).isIn(want.verdicts());
    }
}

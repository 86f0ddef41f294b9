package dev.duplex.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.conformance.cases.AutobahnCase;
import dev.duplex.conformance.cases.AutobahnCases;
import dev.duplex.conformance.cases.CaseResult;
import dev.duplex.conformance.cases.Verdict;
import dev.duplex.conformance.fuzzing.FuzzingClient;
import dev.duplex.websocket.WebSocketOptions;
import dev.duplex.websocket.WebSocketServer;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Autobahn sections 12 and 13 (permessage-deflate) against our {@link WebSocketServer}'s echo
 * endpoint, configured as {@code duplex serve --compression} is, once without and once with
 * {@code --compression-context-takeover}. {@link FuzzingClient} offers what Autobahn offers,
 * checks the response against RFC 7692 §7.1 and inflates every echo strictly (window and context
 * as agreed). Each case sends {@link #MESSAGES} messages instead of Autobahn's 1,000 (system
 * property {@code duplex.conformance.compressionMessages}); verdicts are diffed against
 * {@code expected-verdicts.txt}.
 */
class ServerCompressionConformanceTest {
    /** Messages per case; Autobahn sends 1,000, which would take minutes here. */
    static final int MESSAGES = Integer.getInteger("duplex.conformance.compressionMessages", 8);

    private static WebSocketServer withoutTakeover;
    private static WebSocketServer withTakeover;
    private static ExpectedVerdicts expected;

    @BeforeAll
    static void start() {
        withoutTakeover = start(false);
        withTakeover = start(true);
        expected = ExpectedVerdicts.load();
    }

    private static WebSocketServer start(boolean contextTakeover) {
        WebSocketOptions options = WebSocketOptions.defaults()
                .withMaxMessageBytes(ConformanceLimits.AUTOBAHN_MESSAGE_BYTES).withMaxFragments(ConformanceLimits.AUTOBAHN_FRAGMENTS)
                .withMaxQueuedBytes(256L << 20)
                .withCompression(true).withCompressionThresholdBytes(0).withContextTakeover(contextTakeover, contextTakeover);
        return WebSocketServer.builder().options(options).route("/echo", EchoListener.INSTANCE).startOnLoopback(0);
    }

    @AfterAll
    static void stop() {
        for (WebSocketServer s : new WebSocketServer[] {withoutTakeover, withTakeover}) {
            if (s != null) {
                s.close(Duration.ofSeconds(2));
            }
        }
    }

    @TestFactory
    Stream<DynamicContainer> autobahnCompressionCases() {
        List<AutobahnCase> cases = AutobahnCases.compression(MESSAGES);
        return Stream.of(false, true).map(takeover -> DynamicContainer.dynamicContainer(
                "server context takeover " + (takeover ? "allowed" : "off"),
                cases.stream().map(c -> DynamicTest.dynamicTest(c.displayName(), () -> check(takeover, c)))));
    }

    private static void check(boolean takeover, AutobahnCase c) {
        WebSocketServer server = takeover ? withTakeover : withoutTakeover;
        FuzzingClient fuzzer = new FuzzingClient(URI.create("ws://127.0.0.1:" + server.port() + "/echo"))
                .withTimeLimit(ServerConformanceTest.CASE_LIMIT);
        CaseResult result = fuzzer.run(c);
        String side = "server (context takeover " + (takeover ? "allowed" : "off") + ")";
        if (result.verdict() != Verdict.OK) {
            System.out.println(side + " " + result.summary());
        }
        ExpectedVerdicts.Expectation want = expected.forServer(c.id());
        assertThat(want).as("%s is missing from %s", c.id(), ExpectedVerdicts.RESOURCE).isNotNull();
        assertThat(result.verdict()).as("%s %s", side, result.summary()).isIn(want.verdicts());
    }
}

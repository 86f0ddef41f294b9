package dev.duplex.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.conformance.cases.AutobahnCase;
import dev.duplex.conformance.cases.AutobahnCases;
import dev.duplex.conformance.cases.CaseResult;
import dev.duplex.conformance.cases.Verdict;
import dev.duplex.conformance.fuzzing.FuzzingServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;

/**
 * Our client under Autobahn sections 12 and 13 (permessage-deflate): {@link AutobahnClient} with
 * compression (what {@code duplex autobahn-client --compression} runs) drives
 * {@link FuzzingServer}, which answers the client's offer as each case says and inflates every echo
 * strictly; once with the client's context takeover off (its offer asks for
 * {@code client_no_context_takeover} and {@code server_no_context_takeover}) and once allowed.
 * {@link ServerCompressionConformanceTest#MESSAGES} messages per case.
 */
class ClientCompressionConformanceTest {
    private static final String AGENT = "duplex";

    @TestFactory
    @Timeout(value = 170, unit = TimeUnit.SECONDS)
    Stream<DynamicContainer> autobahnCompressionCases() throws Exception {
        List<AutobahnCase> cases = AutobahnCases.compression(ServerCompressionConformanceTest.MESSAGES);
        ExpectedVerdicts expected = ExpectedVerdicts.load();
        List<DynamicContainer> out = new ArrayList<>();
        for (boolean takeover : new boolean[] {false, true}) {
            Run run = run(cases, takeover);
            Map<String, CaseResult> results = run.results();
            String side = "client (context takeover " + (takeover ? "allowed" : "off") + ")";
            out.add(DynamicContainer.dynamicContainer(side, cases.stream().map(c -> DynamicTest.dynamicTest(c.displayName(), () -> {
                CaseResult result = results.get(c.id());
                assertThat(result).as("no result recorded for %s; the driver's log, progress lines left out:%n%s", c.id(),
                        ClientConformanceTest.withoutProgress(run.log())).isNotNull();
                if (result.verdict() != Verdict.OK) {
                    System.out.println(side + " " + result.summary());
                }
                ExpectedVerdicts.Expectation want = expected.forClient(c.id());
                assertThat(want).as("%s is missing from %s", c.id(), ExpectedVerdicts.RESOURCE).isNotNull();
                assertThat(result.verdict()).as("%s %s", side, result.summary()).isIn(want.verdicts());
            }))));
        }
        return out.stream();
    }

    private record Run(Map<String, CaseResult> results, String log) {
    }

    private static Run run(List<AutobahnCase> cases, boolean takeover) throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (FuzzingServer fuzzer = FuzzingServer.start(cases, ServerConformanceTest.CASE_LIMIT);
             PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8)) {
            int run = new AutobahnClient(fuzzer.uri(), AGENT, out,
                    AutobahnClient.OPTIONS.withCompression(true).withCompressionThresholdBytes(0).withContextTakeover(takeover, takeover)).runAll();
            assertThat(run).as("cases the driver ran; its log:%n%s", log.toString(StandardCharsets.UTF_8)).isEqualTo(cases.size());
            assertThat(fuzzer.awaitReports(AGENT, Duration.ofSeconds(5))).as("the driver asked for /updateReports").isTrue();
            return new Run(fuzzer.results(AGENT), log.toString(StandardCharsets.UTF_8));
        }
    }
}

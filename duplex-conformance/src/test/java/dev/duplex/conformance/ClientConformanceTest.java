package dev.duplex.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.conformance.cases.AutobahnCase;
import dev.duplex.conformance.cases.AutobahnCases;
import dev.duplex.conformance.cases.CaseResult;
import dev.duplex.conformance.fuzzing.FuzzingServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;

/**
 * Our client under Autobahn's driver protocol: {@link AutobahnClient} (what {@code duplex
 * autobahn-client} runs) drives {@link FuzzingServer} through every case of sections 1–7, 9 and
 * 10; then each recorded verdict is diffed against {@code expected-verdicts.txt}.
 */
class ClientConformanceTest {
    private static final String AGENT = "duplex";

    @TestFactory
    @Timeout(value = 170, unit = TimeUnit.SECONDS)
    Stream<DynamicTest> autobahnCases() throws Exception {
        List<AutobahnCase> cases = AutobahnCases.withoutCompression();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Map<String, CaseResult> results;
        int run;
        try (FuzzingServer fuzzer = FuzzingServer.start(cases, ServerConformanceTest.CASE_LIMIT);
             PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8)) {
            run = new AutobahnClient(fuzzer.uri(), AGENT, out).runAll();
            assertThat(fuzzer.awaitReports(AGENT, Duration.ofSeconds(5))).as("the driver asked for /updateReports").isTrue();
            results = fuzzer.results(AGENT);
        }
        assertThat(run).as("cases the driver ran; its log:%n%s", log.toString(StandardCharsets.UTF_8)).isEqualTo(cases.size());
        ExpectedVerdicts expected = ExpectedVerdicts.load();
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.displayName(), () -> {
            CaseResult result = results.get(c.id());
            assertThat(result).as("no result recorded for %s; the driver's log, progress lines left out:%n%s", c.id(),
                    withoutProgress(log.toString(StandardCharsets.UTF_8))).isNotNull();
            if (result.verdict() != dev.duplex.conformance.cases.Verdict.OK) {
                System.out.println("client " + result.summary());
            }
            ExpectedVerdicts.Expectation want = expected.forClient(c.id());
            assertThat(want).as("%s is missing from %s", c.id(), ExpectedVerdicts.RESOURCE).isNotNull();
            assertThat(result.verdict()).as("client %s", result.summary()).isIn(want.verdicts());
        }));
    }

    /** The driver's log without its "case N/M done" lines: what is left says why a case may not have run. */
    static String withoutProgress(String log) {
        return log.lines().filter(l -> !l.matches("case \\d+/\\d+ done in \\d+ ms")).collect(Collectors.joining(System.lineSeparator()));
    }
}

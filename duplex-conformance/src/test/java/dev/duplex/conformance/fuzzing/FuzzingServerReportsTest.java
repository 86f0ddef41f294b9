package dev.duplex.conformance.fuzzing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.conformance.AutobahnClient;
import dev.duplex.conformance.cases.AutobahnCase;
import dev.duplex.conformance.cases.AutobahnCases;
import dev.duplex.conformance.cases.CaseResult;
import dev.duplex.conformance.cases.Verdict;
import dev.duplex.websocket.WebSocketOptions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code /updateReports} means every verdict of the agent is in. The fuzzing server records a
 * case's verdict on the case's own thread once the connection is over, so the driver is already
 * on its next request; here the verdict of the last case is held back (at the moment the bad
 * interleaving needs) and {@code /updateReports} must wait for it rather than answer without it,
 * which is how ClientCompressionConformanceTest once lost 13.7.18, the last case it runs.
 */
class FuzzingServerReportsTest {
    private static final String AGENT = "late";
    private static final Duration LIMIT = Duration.ofSeconds(10);
    /**
     * How long the verdict is held back. Without the wait for it, the driver gets through
     * {@code /updateReports} well within this; with it, reports cannot be final while the verdict is
     * held, however long that is.
     */
    private static final Duration HOLD = Duration.ofSeconds(2);

    @ParameterizedTest(name = "{0}, client offers permessage-deflate: {1}")
    @CsvSource({
        "10.1.1, false, OK", // the last case of ClientConformanceTest
        "13.7.18, true, OK", // the last case of ClientCompressionConformanceTest
        "13.7.18, false, UNIMPLEMENTED", // declined: recorded without a case session
    })
    void updateReportsWaitsForTheVerdictOfTheLastCase(String id, boolean compression, Verdict verdict) throws Exception {
        AutobahnCase c = AutobahnCases.isCompression(AutobahnCases.byId(id))
                ? AutobahnCases.compression(3).stream().filter(k -> k.id().equals(id)).findFirst().orElseThrow()
                : AutobahnCases.byId(id);
        CountDownLatch judged = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (FuzzingServer fuzzer = FuzzingServer.start(List.of(c), LIMIT);
             PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8)) {
            fuzzer.beforeRecord = (agent, caseId) -> {
                judged.countDown();
                try {
                    release.await(LIMIT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            };
            WebSocketOptions options = compression
                    ? AutobahnClient.OPTIONS.withCompression(true).withCompressionThresholdBytes(0).withContextTakeover(false, false)
                    : AutobahnClient.OPTIONS;
            FutureTask<Integer> driver = new FutureTask<>(() -> new AutobahnClient(fuzzer.uri(), AGENT, out, options).runAll());
            Thread thread = new Thread(driver, "autobahn-driver");
            thread.setDaemon(true);
            thread.start();
            try {
                assertThat(judged.await(LIMIT.toMillis(), TimeUnit.MILLISECONDS)).as("case %s reached its verdict", id).isTrue();
                boolean reported = fuzzer.awaitReports(AGENT, HOLD);
                Map<String, CaseResult> results = fuzzer.results(AGENT);
                assertThat(reported)
                        .as("/updateReports answered while the verdict of %s was not recorded (results: %s); the driver's log:%n%s",
                                id, results.keySet(), log.toString(StandardCharsets.UTF_8))
                        .isFalse();
            } finally {
                release.countDown();
            }
            assertThat(driver.get(LIMIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(1);
            assertThat(fuzzer.awaitReports(AGENT, LIMIT)).isTrue();
            CaseResult result = fuzzer.results(AGENT).get(id);
            assertThat(result).as("result of %s", id).isNotNull();
            assertThat(result.verdict()).as(result.summary()).isEqualTo(verdict);
        }
    }
}

package dev.duplex.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.bench.engine.DeflateBenchmark;
import dev.duplex.bench.engine.FrameParseBenchmark;
import dev.duplex.bench.engine.FrameWriteBenchmark;
import dev.duplex.bench.engine.HandshakeParseBenchmark;
import dev.duplex.bench.engine.MaskingBenchmark;
import dev.duplex.bench.engine.Utf8ValidationBenchmark;
import java.util.Collection;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs every benchmark once, in this JVM, for a few milliseconds at one small size: not a
 * measurement, only proof that each benchmark still compiles against the engine, passes its own
 * setup checks and produces a score. Real runs use target/benchmarks.jar (BENCHMARKS-engine.md).
 */
class BenchmarksSmokeTest {

    @ParameterizedTest
    @ValueSource(classes = {
        FrameParseBenchmark.class,
        MaskingBenchmark.class,
        Utf8ValidationBenchmark.class,
        FrameWriteBenchmark.class,
        HandshakeParseBenchmark.class,
        DeflateBenchmark.class,
    })
    void producesAScore(Class<?> benchmark) throws RunnerException {
        Options options = new OptionsBuilder()
                .include("^" + Pattern.quote(benchmark.getName()) + "\\.")
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(50))
                .param("size", "1024") // one size: every sized benchmark has 1 KiB
                .shouldFailOnError(true)
                .verbosity(VerboseMode.SILENT)
                .build();

        Collection<RunResult> results = new Runner(options).run();

        assertThat(results).as("benchmarks run for %s", benchmark.getSimpleName()).isNotEmpty();
        for (RunResult result : results) {
            assertThat(result.getPrimaryResult().getScore())
                    .as("score of %s %s", result.getParams().getBenchmark(), result.getParams())
                    .isPositive();
        }
    }
}

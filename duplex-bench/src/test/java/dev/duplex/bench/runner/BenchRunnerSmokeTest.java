package dev.duplex.bench.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runner's orchestration with tiny parameters against Duplex alone, so it never rots: it starts
 * the server process, runs the load generator, reads /proc and writes a results table. (The peers
 * are smoke-tested in their own module; the full runs are not part of the build.)
 */
class BenchRunnerSmokeTest {

    @Test
    void echoAgainstDuplexProducesATable(@TempDir Path results) throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        assertThat(root.resolve("duplex-server/target/duplex.jar"))
                .as("duplex.jar is built by duplex-server's package phase, before this module").exists();
        BenchRunner.main(new String[] {"echo", "--servers", "duplex", "--rounds", "1", "--duration", "1",
            "--warmup", "1", "--configs", "64x2", "--in-flight", "2", "--root", root.toString(),
            "--results", results.toString()});
        List<Path> files;
        try (Stream<Path> list = Files.list(results)) {
            files = list.toList();
        }
        assertThat(files).hasSize(1);
        String table = Files.readString(files.get(0));
        assertThat(table).contains("## Echo throughput", "| duplex |", "msgs per server CPU-s");
    }

    @Test
    void slopeIsTheLeastSquaresFit() {
        assertThat(BenchRunner.slope(List.of(new double[] {1000, 2_000_000}, new double[] {2000, 3_000_000},
                new double[] {3000, 4_000_000}))).isEqualTo(1000.0);
    }

    @Test
    void flatJsonFlattensNestedObjects() {
        assertThat(FlatJson.parse("{\"scenario\":\"echo\",\"messages\":12,\"latency_us\":{\"p50\":5.5,\"p99\":9}}"))
                .containsEntry("scenario", "echo").containsEntry("messages", "12")
                .containsEntry("latency_us.p50", "5.5").containsEntry("latency_us.p99", "9");
    }
}

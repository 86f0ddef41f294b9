package dev.duplex.bench.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runner's orchestration with tiny parameters against Duplex alone, so it never rots: it starts
 * the server process, runs the load generator, reads /proc and writes a results table. (The peers
 * are smoke-tested in their own module; the full runs are not part of the build.)
 */
class BenchRunnerSmokeTest {

    private static final Pattern NUMBER_CELL = Pattern.compile("\\| [0-9][0-9,.]* \\[");

    /** Runs the runner against Duplex alone and returns the table it saved. */
    private static String run(Path results, String... args) throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        assertThat(root.resolve("duplex-server/target/duplex.jar"))
                .as("duplex.jar is built by duplex-server's package phase, before this module").exists();
        List<String> all = new java.util.ArrayList<>(List.of(args));
        all.addAll(List.of("--servers", "duplex", "--root", root.toString(), "--results", results.toString()));
        BenchRunner.main(all.toArray(String[]::new));
        List<Path> files;
        try (Stream<Path> list = Files.list(results)) {
            files = list.toList();
        }
        assertThat(files).hasSize(1);
        return Files.readString(files.get(0));
    }

    /** The cells of Duplex's row, after the name. */
    private static List<String> duplexRow(String table) {
        String row = table.lines().filter(line -> line.startsWith("| duplex |")).findFirst().orElseThrow();
        return List.of(row.substring("| duplex |".length()).split("\\|")).stream().map(String::strip).toList();
    }

    @Test
    void echoAgainstDuplexProducesATable(@TempDir Path results) throws Exception {
        String table = run(results, "echo", "--rounds", "1", "--duration", "1", "--warmup", "1", "--configs", "64x2",
                "--in-flight", "2");
        assertThat(table).contains("## Echo throughput", "| duplex |", "msgs per server CPU-s",
                "server bytes allocated per msg");
        // wall rate, ratio, CPU rate, ratio, syscalls, ratio, bytes allocated (read from the server over JMX), ratio
        List<String> cells = duplexRow(table);
        assertThat(cells).hasSize(8);
        assertThat(cells.get(6)).as("allocation cell").matches("[0-9][0-9,.]* \\[.*\\]");
    }

    @Test
    void connectReportsHeapAndNativeMemoryPerConnection(@TempDir Path results) throws Exception {
        String table = run(results, "connect", "--counts", "20,40", "--rate", "1000");
        assertThat(table).contains("live heap per connection", "native (NMT) per connection", "user space per connection");
        List<String> cells = duplexRow(table);
        // handshakes/s, heap, native, heap + native: each a figure with its ratio
        assertThat(cells).hasSize(8);
        for (int i = 0; i < 8; i += 2) {
            assertThat(NUMBER_CELL.matcher("| " + cells.get(i)).find() || cells.get(i).startsWith("-"))
                    .as("cell %d: %s", i, cells.get(i)).isTrue();
        }
    }

    @Test
    void fanoutMaxRateClimbsTheLadder(@TempDir Path results) throws Exception {
        String table = run(results, "fanout", "--max-p99-ms", "5000", "--rates", "2,4", "--subscribers", "3",
                "--rounds", "1", "--duration", "1");
        assertThat(table).contains("Highest rate with p99 < 5000 ms, 3 subscribers");
        // With a 5 s limit, a healthy server holds the top of a 2, 4 publications/s ladder: 4 held, 12 deliveries/s.
        List<String> cells = duplexRow(table);
        assertThat(cells.get(0)).startsWith("4.00 [");
        assertThat(cells.get(2)).startsWith("12.00 [");
    }

    @Test
    void pinningRunsUnderTaskset() {
        assertThat(BenchRunner.pinning(null)).isEmpty();
        assertThat(BenchRunner.pinning("1")).containsExactly("taskset", "-c", "1");
        assertThat(BenchRunner.pinning("0-1,3")).containsExactly("taskset", "-c", "0-1,3");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> BenchRunner.pinning("one"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0-3");
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

package dev.duplex.bench.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import dev.duplex.loadgen.BenchReport;
import dev.duplex.loadgen.HubFanoutBenchmark;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code duplex bench fanout --socketio} against the real Socket.IO peer
 * ({@code duplex-bench-peers/node/socketio-peer.mjs}, one node, Socket.IO's in-memory adapter): every
 * acknowledged publication reaches every subscriber once. Node and the npm packages must be there:
 * when they are not, the test fails saying how to install them (it never skips).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SocketIoPeerTest {
    static final String MISSING = "Node.js and the npm packages socket.io, @socket.io/redis-adapter and redis are needed "
            + "for the Socket.IO peer: run bench/install-peers (or ./test-all, which installs them too)";

    @Test
    void everyPublicationReachesEverySubscriberOnce() throws IOException {
        Path dir = NodePeerTest.nodeDir();
        for (String pkg : List.of("socket.io", "@socket.io/redis-adapter", "redis")) {
            Path manifest = dir.resolve("node_modules").resolve(pkg).resolve("package.json");
            if (!Files.isRegularFile(manifest)) {
                fail(MISSING + ". " + manifest + " does not exist (or: npm ci --prefix " + dir + ").");
            }
        }
        String node = System.getProperty("duplex.peers.node", "node");
        try (PeerProcess peer = PeerProcess.start(List.of(node, dir.resolve("socketio-peer.mjs").toString(), "--port", "0"),
                dir, Duration.ofSeconds(20))) {
            URI url = HubFanoutBenchmark.socketIoUrl(URI.create("ws://127.0.0.1:" + peer.port()));
            ByteArrayOutputStream progress = new ByteArrayOutputStream();
            BenchReport report = HubFanoutBenchmark.run(new HubFanoutBenchmark.Options(url, "room-1", 20, 20, 64, 2.0, 1, 0,
                    HubFanoutBenchmark.DEFAULT_CONNECT_RATE), new PrintStream(progress, true, StandardCharsets.UTF_8));
            String json = report.json();
            assertThat(report.exitCode()).as("report %s%nprogress:%n%s", json, progress).isZero();
            assertThat(json).contains("\"mode\":\"socketio\"", "\"subscribers_opened\":20", "\"lost\":0",
                    "\"duplicated\":0", "\"errors\":0");
            long acks = number(json, "acks");
            assertThat(acks).isGreaterThanOrEqualTo(30);
            assertThat(number(json, "deliveries")).isEqualTo(acks * 20);
        }
    }

    @Test
    void nodeDirectoryPinsTheSocketIoPackages() throws IOException {
        String manifest = Files.readString(NodePeerTest.nodeDir().resolve("package.json"));
        assertThat(manifest).contains("\"socket.io\": \"4.8.4\"", "\"@socket.io/redis-adapter\": \"8.3.0\"", "\"redis\": \"6.4.0\"");
    }

    private static long number(String json, String key) {
        int at = json.indexOf("\"" + key + "\":");
        assertThat(at).as(key + " in " + json).isNotNegative();
        int from = at + key.length() + 3;
        int to = from;
        while (to < json.length() && Character.isDigit(json.charAt(to))) {
            to++;
        }
        return Long.parseLong(json.substring(from, to));
    }
}

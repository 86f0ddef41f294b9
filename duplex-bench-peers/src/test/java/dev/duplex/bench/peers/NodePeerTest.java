package dev.duplex.bench.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Node's {@code ws} peer ({@code duplex-bench-peers/node/peer.mjs}) started as a process, like
 * the benchmark runner starts it. Node and {@code node_modules/ws} must be there: when they are
 * not, the test fails saying how to install them (it never skips).
 */
class NodePeerTest extends WebSocketPeerContract {
    static final String MISSING = "Node.js and the npm package ws are needed for the Node peer:"
            + " run bench/install-peers (or ./test-all, which installs them too)";

    @Override
    RunningPeer start() {
        Path dir = nodeDir();
        String node = System.getProperty("duplex.peers.node", "node");
        checkNode(node);
        Path ws = dir.resolve("node_modules/ws/package.json");
        if (!Files.isRegularFile(ws)) {
            fail(MISSING + ". " + ws + " does not exist (or: npm ci --prefix " + dir + ").");
        }
        return PeerProcess.start(List.of(node, dir.resolve("peer.mjs").toString(), "--port", "0"), dir,
                Duration.ofSeconds(20));
    }

    static Path nodeDir() {
        String configured = System.getProperty("duplex.peers.nodeDir");
        Path dir = configured != null && !configured.isBlank()
                ? Path.of(configured)
                : Path.of(System.getProperty("user.dir"), "node");
        return dir.toAbsolutePath().normalize();
    }

    private static void checkNode(String node) {
        Process p = null;
        try {
            p = new ProcessBuilder(node, "--version").redirectErrorStream(true).start();
            p.getOutputStream().close();
            if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
                fail(MISSING + ". '" + node + " --version' did not succeed.");
            }
        } catch (IOException e) {
            fail(MISSING + ". Cannot run '" + node + "' (not on the PATH?): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted while running '" + node + " --version'");
        } finally {
            if (p != null) {
                p.destroyForcibly();
            }
        }
    }

    @org.junit.jupiter.api.Test
    void nodeDirectoryPinsWs() throws IOException {
        Path dir = nodeDir();
        assertThat(Files.readString(dir.resolve("package.json"))).contains("\"ws\": \"8.18.3\"");
        assertThat(dir.resolve("package-lock.json")).exists();
    }
}

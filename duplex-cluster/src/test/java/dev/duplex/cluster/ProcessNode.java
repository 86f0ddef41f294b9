package dev.duplex.cluster;

import dev.duplex.hub.HubServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A node as a JVM of its own, which a test can SIGKILL (no drain, no goodbye to Redis) as no
 * {@link ClusterNode} in this JVM can be killed: {@code duplex serve} (the main class of duplex.jar,
 * found on this test's class path) on Redis at a given URI with the fault tests' settings
 * ({@link ClusterNode#faultServeYaml()}). Its output goes to {@code node.log} in its directory.
 */
final class ProcessNode implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("Listening on 127\\.0\\.0\\.1:(\\d+)");
    private final Process process;
    private final int port;

    /** Starts the node and waits up to {@code startTimeout} until it listens. */
    ProcessNode(String redisUri, Path dir, Duration startTimeout) throws Exception {
        Files.createDirectories(dir);
        Path config = dir.resolve("node.yaml");
        Files.writeString(config, ClusterNode.faultServeYaml());
        Path log = dir.resolve("node.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        this.process = new ProcessBuilder(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"),
                "dev.duplex.server.cli.DuplexCommand", "serve", "--config", config.toString(), "--port", "0",
                "--host", "127.0.0.1", "--broker", redisUri, "--no-demo", "--no-dashboard", "--event-loops", "1")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        int[] found = {-1};
        try {
            Waits.await(startTimeout, () -> "duplex serve did not listen: " + read(log), () -> {
                Matcher m = LISTENING.matcher(Files.readString(log));
                if (m.find()) {
                    found[0] = Integer.parseInt(m.group(1));
                    return true;
                }
                if (!process.isAlive()) {
                    throw new IllegalStateException("duplex serve exited with " + process.exitValue() + ": " + read(log));
                }
                return false;
            });
        } catch (Exception | AssertionError e) {
            close();
            throw e;
        }
        this.port = found[0];
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (java.io.IOException e) {
            return "(" + e + ")";
        }
    }

    URI uri() {
        return URI.create("ws://127.0.0.1:" + port + HubServer.PATH);
    }

    /** SIGKILL, and waits until it is gone; returns the exit status (137 = killed by signal 9). */
    int kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the node process survived SIGKILL for 30 s");
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}

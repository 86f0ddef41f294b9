package dev.duplex.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import dev.duplex.hub.HubConfig;
import dev.duplex.hub.HubServer;
import dev.duplex.hub.NamespaceConfig;
import dev.duplex.hub.broker.redis.RedisBroker;
import dev.duplex.hub.broker.redis.RedisBrokerOptions;
import dev.duplex.hub.protocol.Command;
import dev.duplex.hub.protocol.ServerMessage;
import dev.duplex.websocket.WebSocketOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the fault tests share: nodes (embedded {@link HubServer}s on a {@link RedisBroker}, or a
 * {@code duplex serve} child process that can be SIGKILLed), the hub configuration they all use,
 * waits for a condition with a deadline, and a stack that stops everything a test started.
 */
final class FaultCluster {
    /** History deep enough that nothing a test publishes falls out of it. */
    static final int HISTORY = 10_000;
    /** Longer than any test, so that silent clients are not disconnected for missing pings (3003). */
    static final Duration HEARTBEAT = Duration.ofMinutes(2);

    private FaultCluster() {
    }

    /**
     * The hub of every node: the default namespace with deep history and presence, without join and
     * leave messages (with a thousand subscribers they would be a million messages, none of them
     * under test), and a command rate no test reaches.
     */
    static HubConfig hubConfig() {
        return HubConfig.builder()
                .heartbeat(HEARTBEAT)
                .commandRate(100_000, 100_000)
                .defaultNamespace(NamespaceConfig.builder().historySize(HISTORY).historyTtl(Duration.ofMinutes(10))
                        .joinLeave(false).presence(true).build())
                .build();
    }

    /** Every test client comes from 127.0.0.1: the per-address limits must let a thousand in. */
    static WebSocketOptions serverOptions() {
        return WebSocketOptions.defaults()
                .withPingInterval(HEARTBEAT)
                .withPongTimeout(HEARTBEAT)
                .withMaxConnectionsPerAddress(4_096)
                .withMaxPendingHandshakes(4_096);
    }

    /** The same settings as a {@code duplex serve} configuration file. */
    static String serveYaml() {
        return """
                max_connections_per_address: 4096
                max_pending_handshakes: 4096
                hub:
                  heartbeat: 2m
                  commands_per_second: 100000
                  command_burst: 100000
                default_namespace:
                  history_size: %d
                  history_ttl: 10m
                  presence: true
                  join_leave: false
                """.formatted(HISTORY);
    }

    /** A node in this JVM: a hub server on loopback with its own Redis broker. */
    record Node(HubServer server, RedisBroker broker) implements AutoCloseable {
        URI uri() {
            return URI.create("ws://127.0.0.1:" + server.port() + HubServer.PATH);
        }

        @Override
        public void close() {
            try {
                server.close();
            } finally {
                broker.close();
            }
        }
    }

    /** Starts a node on Redis at {@code redisUri}, with the broker options {@code tune} makes. */
    static Node node(String redisUri, UnaryOperator<RedisBrokerOptions.Builder> tune) {
        RedisBroker broker = new RedisBroker(tune.apply(RedisBrokerOptions.builder().uri(redisUri)).build());
        try {
            HubServer server = HubServer.builder().broker(broker).config(hubConfig()).options(serverOptions())
                    .address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                    .customize(ws -> ws.eventLoops(1))
                    .start();
            return new Node(server, broker);
        } catch (RuntimeException e) {
            broker.close();
            throw e;
        }
    }

    /**
     * A node as its own JVM: {@code duplex serve} (the main class of duplex.jar) with this test's
     * class path, so that it can be killed with SIGKILL. Its output goes to a file in {@code dir}.
     */
    static final class NodeProcess implements AutoCloseable {
        private static final Pattern LISTENING = Pattern.compile("Listening on 127\\.0\\.0\\.1:(\\d+)");
        final Process process;
        final Path log;
        final int port;

        NodeProcess(String redisUri, Path dir, Duration startTimeout) throws IOException, InterruptedException {
            Files.createDirectories(dir);
            Path config = dir.resolve("node.yaml");
            Files.writeString(config, serveYaml());
            this.log = dir.resolve("node.log");
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            this.process = new ProcessBuilder(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                    "-cp", System.getProperty("java.class.path"),
                    "dev.duplex.server.cli.DuplexCommand", "serve", "--config", config.toString(), "--port", "0",
                    "--host", "127.0.0.1", "--broker", redisUri, "--no-demo", "--no-dashboard", "--event-loops", "1")
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            int found = -1;
            try {
                long deadline = System.nanoTime() + startTimeout.toNanos();
                while (found < 0) {
                    Matcher m = LISTENING.matcher(Files.readString(log));
                    if (m.find()) {
                        found = Integer.parseInt(m.group(1));
                    } else if (!process.isAlive()) {
                        throw new IllegalStateException("duplex serve exited with " + process.exitValue() + ": " + Files.readString(log));
                    } else if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("duplex serve did not listen within " + startTimeout + ": " + Files.readString(log));
                    } else {
                        Thread.sleep(20);
                    }
                }
            } catch (IOException | RuntimeException | InterruptedException e) {
                close();
                throw e;
            }
            this.port = found;
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

    /** Waits for {@code condition}, checking every 20 ms, and fails with {@code what} after {@code timeout}. */
    static void await(Duration timeout, Supplier<String> what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Not within " + timeout + ": " + what.get());
            }
            Thread.sleep(20);
        }
    }

    /** Publishes and waits for the answer (an ack or an error), at most 20 s. */
    static ServerMessage publish(FaultWire publisher, String channel, JsonNode data, String msgId) {
        try {
            return publisher.request(id -> new Command.Publish(id, channel, data, msgId, null)).get(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("publish " + msgId + " got no answer", e);
        }
    }

    /** A list of the numbers from..to. */
    static long[] range(long from, long to) {
        return java.util.stream.LongStream.rangeClosed(from, to).toArray();
    }

    static int intProperty(String name, int fallback) {
        String v = System.getProperty(name);
        return v == null || v.isBlank() ? fallback : Integer.parseInt(v.strip());
    }

    /** A duration property in seconds (e.g. {@code -Dduplex.cluster.outageSeconds=10}). */
    static Duration secondsProperty(String name, Duration fallback) {
        String v = System.getProperty(name);
        return v == null || v.isBlank() ? fallback : Duration.ofMillis(Math.round(Double.parseDouble(v.strip()) * 1000));
    }

    /** What a test started, stopped in reverse order even when the test failed; the first failure is thrown. */
    static final class Stack implements AutoCloseable {
        private final Deque<AutoCloseable> items = new ArrayDeque<>();

        <T extends AutoCloseable> T push(T item) {
            items.push(item);
            return item;
        }

        /** Something to do at the end, in reverse order with the rest. */
        void later(AutoCloseable action) {
            items.push(action);
        }

        @Override
        public void close() throws Exception {
            Exception first = null;
            while (!items.isEmpty()) {
                try {
                    items.pop().close();
                } catch (Exception | AssertionError e) {
                    Exception wrapped = e instanceof Exception ex ? ex : new Exception(e);
                    if (first == null) {
                        first = wrapped;
                    } else {
                        first.addSuppressed(wrapped);
                    }
                }
            }
            if (first != null) {
                throw first;
            }
        }
    }
}

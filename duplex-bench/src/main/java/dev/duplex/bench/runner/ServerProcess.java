package dev.duplex.bench.runner;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One server under test, run as its own process on a free loopback port. Its output is read until
 * it says which port it listens on; the rest is drained so it never blocks on a full pipe.
 */
final class ServerProcess implements AutoCloseable {
    private static final Pattern PORT = Pattern.compile("(?:LISTENING |ws://[^:]+:)(\\d+)");

    final String name;
    final int port;
    final boolean jvm;
    private final Process process;
    private AllocationProbe allocations;

    private ServerProcess(String name, boolean jvm, Process process, int port) {
        this.name = name;
        this.jvm = jvm;
        this.process = process;
        this.port = port;
    }

    /**
     * @param environment added to the runner's (e.g. {@code DUPLEX_*} settings of duplex serve)
     * @param launch words before the server's command, e.g. {@code taskset -c 1}, or none
     */
    static ServerProcess start(ServerKind kind, Path root, List<String> jvmOptions, Map<String, String> environment,
            List<String> launch) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(launch);
        command.addAll(kind.command(root, jvmOptions));
        ProcessBuilder builder = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true);
        builder.environment().putAll(environment);
        Process process = builder.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try {
                String line;
                while ((line = out.readLine()) != null) {
                    Matcher m = PORT.matcher(line);
                    if (!port.isDone() && m.find()) {
                        port.complete(Integer.parseInt(m.group(1)));
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
            port.completeExceptionally(new IOException(kind.name + " exited before saying which port it listens on"));
        }, "bench-" + kind.name + "-output");
        reader.setDaemon(true);
        reader.start();
        try {
            return new ServerProcess(kind.name, kind.jvm(), process, port.get(60, TimeUnit.SECONDS));
        } catch (Exception e) {
            process.destroyForcibly();
            throw new IOException("Could not start " + kind.name + " (" + String.join(" ", command) + "): " + e.getMessage(), e);
        }
    }

    long pid() {
        return process.pid();
    }

    ProcStats stats() {
        return ProcStats.of(process.pid());
    }

    /** Bytes the server's threads have allocated so far; -1 for a server that is not a JVM. */
    long allocatedBytes() throws IOException {
        if (!jvm) {
            return -1;
        }
        return probe().allocatedBytes();
    }

    /** What one {@link #allocatedBytes()} reading allocates in the server itself; -1 if not a JVM. */
    long allocationReadingCost() throws IOException {
        return jvm ? probe().readingCost() : -1;
    }

    private AllocationProbe probe() throws IOException {
        if (allocations == null) {
            allocations = AllocationProbe.attach(process.pid());
        }
        return allocations;
    }

    @Override
    public void close() {
        if (allocations != null) {
            allocations.close();
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The servers the runner knows, and how to start each. Duplex runs without its demo devices
     * and dashboard statistics: their few publications per second are not the server under test.
     */
    record ServerKind(String name, Launcher launcher, List<String> args) {
        /** Where {@code duplex-baseline} is: the {@code duplex.jar} of the build to compare with, copied by hand. */
        static final String BASELINE_JAR = "bench/baseline/duplex.jar";

        /** What runs a server: {@code java} with the runner's JVM options, {@code node}, or the file itself. */
        enum Launcher { JVM, NODE, NATIVE }

        static final List<ServerKind> ALL = List.of(
                new ServerKind("duplex", Launcher.JVM, List.of("-jar", "duplex-server/target/duplex.jar", "serve", "--port", "0",
                        "--host", "127.0.0.1", "--max-connections", "19500", "--max-connections-per-address", "1000000",
                        "--max-pending-handshakes", "20000", "--no-demo", "--no-dashboard", "--broadcast")),
                // An earlier build of Duplex, for before/after comparisons in one interleaved run.
                new ServerKind("duplex-baseline", Launcher.JVM, List.of("-jar", BASELINE_JAR, "serve", "--port", "0",
                        "--host", "127.0.0.1", "--max-connections", "19500", "--max-connections-per-address", "1000000",
                        "--max-pending-handshakes", "20000", "--no-demo", "--no-dashboard", "--broadcast")),
                new ServerKind("netty", Launcher.JVM, List.of("-jar", "duplex-bench-peers/target/peers.jar", "netty", "--port", "0")),
                new ServerKind("jetty", Launcher.JVM, List.of("-jar", "duplex-bench-peers/target/peers.jar", "jetty", "--port", "0")),
                new ServerKind("java-websocket", Launcher.JVM, List.of("-jar", "duplex-bench-peers/target/peers.jar", "java-websocket", "--port", "0")),
                new ServerKind("vertx", Launcher.JVM, List.of("-jar", "duplex-bench-peers/target/peers.jar", "vertx", "--port", "0")),
                new ServerKind("node-ws", Launcher.NODE, List.of("duplex-bench-peers/node/peer.mjs", "--port", "0")),
                // A minimal single-threaded C epoll server (built by bench/install-peers): the native reference.
                new ServerKind("c-epoll", Launcher.NATIVE, List.of("duplex-bench-peers/c/target/c-epoll-peer", "--port", "0")),
                new ServerKind("nio-echo", Launcher.JVM, List.of("-jar", "duplex-bench-peers/target/peers.jar", "nio-echo", "--port", "0")));

        boolean jvm() {
            return launcher == Launcher.JVM;
        }

        static ServerKind named(String name) {
            for (ServerKind kind : ALL) {
                if (kind.name.equals(name)) {
                    return kind;
                }
            }
            throw new IllegalArgumentException("Unknown server '" + name + "'; known: "
                    + ALL.stream().map(ServerKind::name).toList());
        }

        List<String> command(Path root, List<String> jvmOptions) {
            if (args.contains(BASELINE_JAR) && !Files.isRegularFile(root.resolve(BASELINE_JAR))) {
                throw new IllegalArgumentException(BASELINE_JAR + " is missing: build the commit to compare with "
                        + "(./mvnw -q -Dmaven.test.skip=true -pl duplex-server -am package in its checkout) and copy its "
                        + "duplex-server/target/duplex.jar there");
            }
            List<String> command = new ArrayList<>();
            switch (launcher) {
                case JVM -> {
                    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
                    command.addAll(jvmOptions);
                }
                case NODE -> command.add("node");
                case NATIVE -> {
                    command.add(root.resolve(args.get(0)).toString());
                    command.addAll(args.subList(1, args.size()));
                    return command;
                }
            }
            command.addAll(args);
            return command;
        }
    }
}

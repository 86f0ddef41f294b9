package dev.duplex.server.cli;

import dev.duplex.loadgen.BenchReport;
import dev.duplex.loadgen.ConnectBenchmark;
import dev.duplex.loadgen.EchoBenchmark;
import dev.duplex.loadgen.FanoutBenchmark;
import dev.duplex.loadgen.HubFanoutBenchmark;
import java.net.InetAddress;
import java.net.URI;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code duplex bench echo|connect|fanout URL} (and {@code fanout --hub}: fan-out through the hub
 * protocol): the load generator (module duplex-loadgen). A
 * progress line goes to stderr once a second; the summary table and then one JSON line go to
 * stdout. Exit code 0 when the run had no errors, 1 when it had some (failed connections,
 * protocol errors, lost or duplicated messages), 2 for bad options.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Load generator: echo throughput and latency, connection storms, fan-out. "
                + "Prints progress on stderr, a summary and one JSON line on stdout; exits 1 if errors occurred.",
        subcommands = {BenchCommand.Echo.class, BenchCommand.Connect.class, BenchCommand.Fanout.class})
final class BenchCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Runs a scenario: bad options are exit code 2 with a one-line message, as picocli's own. */
    static int execute(Supplier<BenchReport> scenario) {
        BenchReport report;
        try {
            report = scenario.get();
        } catch (IllegalArgumentException e) {
            System.err.println("duplex bench: " + e.getMessage());
            return 2;
        }
        report.print(System.out);
        return report.exitCode();
    }

    @Command(name = "echo", mixinStandardHelpOptions = true,
            description = "Round trips against an echo endpoint: closed loop (each connection keeps --in-flight "
                    + "messages outstanding) or, with --rate, open loop at a constant total rate with latency "
                    + "measured from each message's intended send time (coordinated-omission correction).")
    static final class Echo implements Callable<Integer> {
        @Parameters(index = "0", description = "Echo endpoint, e.g. ws://127.0.0.1:8080/echo")
        URI url;

        @Option(names = "--connections", defaultValue = "100", description = "Connections (default: ${DEFAULT-VALUE}).")
        int connections;

        @Option(names = "--in-flight", defaultValue = "1", description = "Messages outstanding per connection, closed loop (default: ${DEFAULT-VALUE}).")
        int inFlight;

        @Option(names = "--size", defaultValue = "64", description = "Payload bytes, at least 8 (binary) or 16 (text) (default: ${DEFAULT-VALUE}).")
        int size;

        @Option(names = "--type", defaultValue = "binary", description = "binary or text (default: ${DEFAULT-VALUE}).")
        MessageType type;

        @Option(names = "--duration", defaultValue = "10", description = "Seconds measured (default: ${DEFAULT-VALUE}).")
        double duration;

        @Option(names = "--warmup", defaultValue = "2", description = "Seconds of load before measuring (default: ${DEFAULT-VALUE}).")
        double warmup;

        @Option(names = "--rate", defaultValue = "0", description = "Open loop: total messages per second; 0 = closed loop (default).")
        double rate;

        @Option(names = "--raw-tcp", description = "The target is a bare TCP echo (no WebSocket handshake; our frames come back "
                + "as sent): the physical floor to compare WebSocket servers with.")
        boolean rawTcp;

        @Option(names = "--threads", defaultValue = "1", description = "Generator event loop threads (default: ${DEFAULT-VALUE}).")
        int threads;

        @Override
        public Integer call() {
            return execute(() -> EchoBenchmark.run(new EchoBenchmark.Options(url, connections, inFlight, size,
                    type == MessageType.text, duration, warmup, rate, threads, rawTcp), System.err));
        }
    }

    enum MessageType { binary, text }

    @Command(name = "connect", mixinStandardHelpOptions = true,
            description = "Opens --connections WebSocket connections at --rate per second, holds them idle and reports "
                    + "handshakes/s, handshake latency and errors by kind; with --server-pid, the server's memory per "
                    + "idle connection. One process holds at most `ulimit -n` minus 200 connections; run several "
                    + "processes (with different --source-addresses) for more.")
    static final class Connect implements Callable<Integer> {
        @Parameters(index = "0", description = "Endpoint, e.g. ws://127.0.0.1:8080/echo")
        URI url;

        @Option(names = "--connections", defaultValue = "1000", description = "Connections to open (default: ${DEFAULT-VALUE}).")
        int connections;

        @Option(names = "--rate", defaultValue = "1000", description = "New connections per second (default: ${DEFAULT-VALUE}).")
        double rate;

        @Option(names = "--source-addresses", split = ",", paramLabel = "ADDR",
                description = "Local addresses to connect from, round robin, e.g. 127.0.0.1,127.0.0.2 (default: the OS chooses).")
        List<InetAddress> sourceAddresses = List.of();

        @Option(names = "--hold", defaultValue = "0", description = "Seconds to hold the connections idle after opening (default: ${DEFAULT-VALUE}).")
        double hold;

        @Option(names = "--server-pid", defaultValue = "0", description = "The server's process id: report its RSS (VmRSS) before and after, per connection.")
        long serverPid;

        @Option(names = "--jvm-memory", description = "With --server-pid of a JVM server: force a full GC in it before and "
                + "after (jcmd) and report its live heap per connection, and its native memory per connection when it "
                + "runs with -XX:NativeMemoryTracking=summary.")
        boolean jvmMemory;

        @Option(names = "--threads", defaultValue = "1", description = "Generator event loop threads (default: ${DEFAULT-VALUE}).")
        int threads;

        @Override
        public Integer call() {
            return execute(() -> ConnectBenchmark.run(new ConnectBenchmark.Options(url, connections, rate,
                    sourceAddresses, hold, serverPid, threads, jvmMemory), System.err));
        }
    }

    @Command(name = "fanout", mixinStandardHelpOptions = true,
            description = {"Subscribers on a broadcast endpoint (every message sent is delivered to all, e.g. "
                    + "duplex serve's /broadcast) and one publisher at a fixed rate; reports deliveries/s, "
                    + "publish-to-delivery latency, lost and duplicated deliveries.",
                    "With --hub, the same through the hub protocol (URL default ws://127.0.0.1:8080/connect, "
                            + "subprotocol duplex.v1.json): subscribers subscribe to --channel, publishers publish to it; "
                            + "also reports acks, publish-to-ack latency and gaps in the hub's offsets. The hub allows "
                            + "100 commands/s per connection, so the rate is spread over ceil(rate / 80) publisher "
                            + "connections (or --publishers)."})
    static final class Fanout implements Callable<Integer> {
        @Parameters(index = "0", arity = "0..1", paramLabel = "URL",
                description = "Broadcast endpoint, e.g. ws://127.0.0.1:8080/broadcast; with --hub the hub, "
                        + "default ws://127.0.0.1:8080/connect (a URL without a path gets /connect).")
        URI url;

        @Option(names = "--hub", description = "Fan out through the hub protocol (connect, subscribe, publish) instead of a raw broadcast endpoint.")
        boolean hub;

        @Option(names = "--socketio", description = "The same as --hub against a Socket.IO server (Engine.IO 4 over WebSocket, "
                + "e.g. duplex-bench-peers/node/socketio-peer.mjs): events subscribe(room) and publish({room, data}), "
                + "both acknowledged, deliveries as pub events. URL e.g. ws://127.0.0.1:3000 (/socket.io/?EIO=4&transport=websocket is added).")
        boolean socketIo;

        @Option(names = "--channel", paramLabel = "NAME", defaultValue = HubFanoutBenchmark.DEFAULT_CHANNEL,
                description = "With --hub: the channel (default: ${DEFAULT-VALUE}, in the default namespace; NS:NAME needs "
                        + "namespace NS configured on the hub). For large fan-outs use a namespace with join_leave off.")
        String channel;

        @Option(names = "--publishers", defaultValue = "0",
                description = "With --hub: publisher connections; 0 = one per 80 publications/s (default), so each stays "
                        + "under the hub's 100 commands/s per connection.")
        int publishers;

        @Option(names = "--connect-rate", defaultValue = "900",
                description = "With --hub: subscriber connections opened per second, under the hub's admission rate "
                        + "(hub.connections_per_second, 1000 by default) (default: ${DEFAULT-VALUE}).")
        double connectRate;

        @Option(names = "--subscribe-to", split = ",", paramLabel = "URL",
                description = "With --hub or --socketio: the subscribers connect to these URLs round robin (e.g. the other "
                        + "nodes of a cluster); the publishers to URL. Default: URL.")
        java.util.List<URI> subscribeTo = new java.util.ArrayList<>();

        @Option(names = "--subscribers", defaultValue = "100", description = "Subscribing connections (default: ${DEFAULT-VALUE}).")
        int subscribers;

        @Option(names = "--rate", defaultValue = "10", description = "Publications per second (default: ${DEFAULT-VALUE}).")
        double rate;

        @Option(names = "--size", defaultValue = "64", description = "Payload bytes, at least 16; with --hub, bytes of each "
                + "publication's data (seq, t and padding), at least 64 (default: ${DEFAULT-VALUE}).")
        int size;

        @Option(names = "--duration", defaultValue = "10", description = "Seconds of publishing (default: ${DEFAULT-VALUE}).")
        double duration;

        @Option(names = "--threads", defaultValue = "1", description = "Generator event loop threads (default: ${DEFAULT-VALUE}).")
        int threads;

        @Override
        public Integer call() {
            if (socketIo) {
                if (url == null) {
                    System.err.println("duplex bench: give the Socket.IO server's URL, e.g. ws://127.0.0.1:3000");
                    return 2;
                }
                java.util.List<URI> subscribeUrls = subscribeTo.stream().map(HubFanoutBenchmark::socketIoUrl).toList();
                return execute(() -> HubFanoutBenchmark.run(new HubFanoutBenchmark.Options(HubFanoutBenchmark.socketIoUrl(url),
                        channel, subscribers, rate, size, duration, threads, publishers, connectRate, subscribeUrls), System.err));
            }
            if (hub) {
                java.util.List<URI> subscribeUrls = subscribeTo.stream().map(Fanout::hubUrl).toList();
                return execute(() -> HubFanoutBenchmark.run(new HubFanoutBenchmark.Options(hubUrl(url), channel, subscribers,
                        rate, size, duration, threads, publishers, connectRate, subscribeUrls), System.err));
            }
            if (url == null) {
                System.err.println("duplex bench: give the broadcast endpoint's URL, e.g. ws://127.0.0.1:8080/broadcast "
                        + "(or --hub for the hub at /connect)");
                return 2;
            }
            return execute(() -> FanoutBenchmark.run(new FanoutBenchmark.Options(url, subscribers, rate, size,
                    duration, threads), System.err));
        }

        /** The hub's URL: the default, or the one given with /connect added when it has no path. */
        static URI hubUrl(URI url) {
            if (url == null) {
                return URI.create("ws://127.0.0.1:8080" + HUB_PATH);
            }
            String path = url.getRawPath();
            if (path == null || path.isEmpty() || path.equals("/")) {
                return url.resolve(HUB_PATH);
            }
            return url;
        }
    }

    private static final String HUB_PATH = "/connect";
}

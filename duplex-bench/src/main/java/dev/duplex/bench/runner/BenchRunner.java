package dev.duplex.bench.runner;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs one scenario side by side against every server, interleaved: after a warm-up of each, round
 * 1 measures A, B, C …, round 2 measures A, B, C … again, so slow drifts of a noisy machine hit
 * every server alike. Prints, per configuration, the median, minimum and maximum of the rounds and
 * every server's ratio to Duplex, and appends the same tables to {@code bench/results/}.
 *
 * <pre>
 * java -cp duplex-bench/target/benchmarks.jar dev.duplex.bench.runner.BenchRunner echo [options]
 *   scenarios: echo | latency | connect | fanout
 *   --servers duplex,netty,…   --rounds 5   --duration 5   --warmup 5   --root .   --results bench/results
 *   --server-cpus 1  --generator-cpus 0: pin servers and the load generator to CPUs (taskset)
 *   echo:    --configs 64x100,1024x100,65536x100,64x1000 (size x connections)  --in-flight 16
 *   latency: --rates 50000,90000 (messages/s, open loop)  --size 64  --connections 100
 *   connect: --counts 1000,5000,10000,19000  --rate 5000
 *   fanout:  --subscribers 1000,10000  --rate 10  --size 64
 *            --max-p99-ms 50 [--rates 20,50,100,200,400,800]: the highest rate each server holds
 *            --hub [--channel fanout]: Duplex only, its hub at /connect next to its raw /broadcast
 * </pre>
 * Options without a value ({@code --hub}) are flags.
 */
public final class BenchRunner {
    private final Path root;
    private final Map<String, String> options;
    private final List<String> jvmOptions = List.of("-Xms1g", "-Xmx2g", "-XX:+UseParallelGC");
    private final LoadGenerator generator;
    /** {@code taskset -c CPUS} before each server's command with {@code --server-cpus}, else nothing. */
    private final List<String> serverLaunch;
    private final PrintStream out = System.out;
    private final StringBuilder report = new StringBuilder();

    private BenchRunner(Path root, Map<String, String> options) {
        this.root = root;
        this.options = options;
        this.generator = new LoadGenerator(root, List.of("-Xms512m", "-Xmx1g"), pinning(options.get("generator-cpus")));
        this.serverLaunch = pinning(options.get("server-cpus"));
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: BenchRunner echo|latency|connect|fanout [--option value …]");
            System.exit(2);
        }
        Map<String, String> options = parseOptions(args);
        Path root = Path.of(options.getOrDefault("root", "")).toAbsolutePath().normalize();
        BenchRunner runner = new BenchRunner(root, options);
        switch (args[0]) {
            case "echo" -> runner.echo();
            case "latency" -> runner.latency();
            case "connect" -> runner.connect();
            case "fanout" -> runner.fanout();
            default -> throw new IllegalArgumentException("Unknown scenario: " + args[0]);
        }
        runner.save(args[0]);
    }

    /** {@code taskset -c CPUS}: runs a process on those CPUs only (Linux), so server and generator need not share. */
    static List<String> pinning(String cpus) {
        if (cpus == null) {
            return List.of();
        }
        if (!cpus.matches("[0-9]+([,-][0-9]+)*")) {
            throw new IllegalArgumentException("CPU list must look like 0 or 0,1 or 0-3, was '" + cpus + "'");
        }
        return List.of("taskset", "-c", cpus);
    }

    /** {@code --name value} pairs after the scenario; {@code --name} followed by another option (or nothing) is a flag, "true". */
    static Map<String, String> parseOptions(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 1; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("Expected an option (--name), not '" + args[i] + "'");
            }
            String name = args[i].substring(2);
            if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                options.put(name, args[++i]);
            } else {
                options.put(name, "true");
            }
        }
        return options;
    }

    private String option(String name, String fallback) {
        return options.getOrDefault(name, fallback);
    }

    private List<String> servers(String fallback) {
        return List.of(option("servers", fallback).split(","));
    }

    // ---------------------------------------------------------------- echo throughput

    private void echo() throws Exception {
        List<String> servers = servers("duplex,netty,jetty,java-websocket,vertx,node-ws,c-epoll,nio-echo");
        int rounds = Integer.parseInt(option("rounds", "5"));
        String duration = option("duration", "5");
        String inFlight = option("in-flight", "16");
        heading("Echo throughput", "in flight per connection: " + inFlight + ", " + duration + " s per measurement, "
                + rounds + " interleaved rounds; server and load generator share the machine's cores");
        for (String config : option("configs", "64x100,1024x100,65536x100,64x1000").split(",")) {
            String size = config.split("x")[0];
            String connections = config.split("x")[1];
            Map<String, List<Double>> wall = new LinkedHashMap<>();
            Map<String, List<Double>> perCpu = new LinkedHashMap<>();
            Map<String, List<Double>> syscalls = new LinkedHashMap<>();
            Map<String, List<Double>> allocated = new LinkedHashMap<>();
            // 64 KiB messages: one in flight per connection, so the queues stay within the servers' buffers.
            String flight = Integer.parseInt(size) >= 65536 ? "1" : inFlight;
            try (Servers running = Servers.start(servers, root, jvmOptions, serverLaunch)) {
                for (ServerProcess server : running.all()) {
                    echoOnce(server, size, connections, flight, option("warmup", "5"));
                    if (server.jvm) {
                        progress("echo " + config + " " + server.name + ": one allocation reading allocates "
                                + server.allocationReadingCost() + " bytes in the server (two per measurement)");
                    }
                }
                for (int round = 1; round <= rounds; round++) {
                    for (ServerProcess server : running.all()) {
                        long allocatedBefore = server.allocatedBytes();
                        ProcStats before = server.stats();
                        Map<String, String> result = echoOnce(server, size, connections, flight, duration);
                        ProcStats used = server.stats().minus(before);
                        long allocatedDuring = server.allocatedBytes() - allocatedBefore;
                        // The counters cover the whole generator run (connecting, its 1 s warm-up, the
                        // measurement), so they are divided by every echo of the run, not only the measured ones.
                        double messages = Double.parseDouble(result.get("received"));
                        wall.computeIfAbsent(server.name, k -> new ArrayList<>()).add(Double.parseDouble(result.get("messages_per_s")));
                        perCpu.computeIfAbsent(server.name, k -> new ArrayList<>())
                                .add(used.cpuMillis() == 0 ? Double.NaN : messages / (used.cpuMillis() / 1000.0));
                        syscalls.computeIfAbsent(server.name, k -> new ArrayList<>())
                                .add((used.readSyscalls() + used.writeSyscalls()) / Math.max(1, messages));
                        allocated.computeIfAbsent(server.name, k -> new ArrayList<>())
                                .add(server.jvm ? allocatedDuring / Math.max(1, messages) : Double.NaN);
                        progress("echo " + config + " round " + round + " " + server.name + ": "
                                + result.get("messages_per_s") + " msgs/s, server CPU " + used.cpuMillis() + " ms for "
                                + result.get("received") + " echoes");
                    }
                }
            }
            table("Echo " + size + " B binary, " + connections + " connections",
                    List.of(column("msgs/s (wall)", wall), column("msgs per server CPU-s", perCpu),
                            column("syscalls per msg", syscalls), column("server bytes allocated per msg", allocated)));
        }
    }

    private Map<String, String> echoOnce(ServerProcess server, String size, String connections, String inFlight, String duration)
            throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("echo", url(server, "/echo"), "--connections", connections,
                "--in-flight", inFlight, "--size", size, "--duration", duration, "--warmup", "1", "--threads", "1"));
        if (server.name.equals("nio-echo")) {
            args.add("--raw-tcp");
        }
        return generator.run(args, Long.parseLong(duration) + 120);
    }

    // ---------------------------------------------------------------- latency (open loop)

    private void latency() throws Exception {
        List<String> servers = servers("duplex,netty,jetty,java-websocket,vertx,node-ws,c-epoll");
        int rounds = Integer.parseInt(option("rounds", "5"));
        String duration = option("duration", "10");
        heading("Round-trip latency at a constant rate (open loop, coordinated omission corrected)",
                option("size", "64") + " B binary, " + option("connections", "100") + " connections, " + duration
                        + " s per measurement, " + rounds + " interleaved rounds");
        for (String rate : option("rates", "50000,90000").split(",")) {
            Map<String, List<Double>> p50 = new LinkedHashMap<>();
            Map<String, List<Double>> p99 = new LinkedHashMap<>();
            Map<String, List<Double>> p999 = new LinkedHashMap<>();
            try (Servers running = Servers.start(servers, root, jvmOptions, serverLaunch)) {
                for (int round = 0; round <= rounds; round++) {
                    for (ServerProcess server : running.all()) {
                        Map<String, String> r = generator.run(List.of("echo", url(server, "/echo"), "--connections",
                                option("connections", "100"), "--size", option("size", "64"), "--rate", rate,
                                "--duration", round == 0 ? "5" : duration, "--warmup", "1"), 200);
                        if (round == 0) {
                            continue; // warm-up
                        }
                        p50.computeIfAbsent(server.name, k -> new ArrayList<>()).add(Double.parseDouble(r.get("latency_us.p50")));
                        p99.computeIfAbsent(server.name, k -> new ArrayList<>()).add(Double.parseDouble(r.get("latency_us.p99")));
                        p999.computeIfAbsent(server.name, k -> new ArrayList<>()).add(Double.parseDouble(r.get("latency_us.p999")));
                        progress("latency " + rate + "/s round " + round + " " + server.name + ": p99 " + r.get("latency_us.p99") + " µs");
                    }
                }
            }
            table("Latency at " + rate + " msgs/s (µs; lower is better: ratio = server / Duplex)",
                    List.of(column("p50", p50), column("p99", p99), column("p99.9", p999)));
        }
    }

    // ---------------------------------------------------------------- connect: handshakes and idle memory

    private void connect() throws Exception {
        List<String> servers = servers("duplex,netty,jetty,java-websocket,vertx,node-ws,c-epoll");
        List<Integer> counts = new ArrayList<>();
        for (String c : option("counts", "1000,5000,10000,19000").split(",")) {
            counts.add(Integer.parseInt(c));
        }
        heading("Handshakes and memory per idle connection",
                "connections opened at up to " + option("rate", "5000") + "/s over 127.0.0.1–127.0.0.4 and held idle; "
                        + "after each count is held, JVM servers report their live heap after a full GC (jcmd "
                        + "GC.class_histogram) and their native memory outside the heap (native memory tracking, jcmd "
                        + "VM.native_memory), other servers their RSS; memory per connection is the slope over the "
                        + "connections actually held");
        Map<String, List<Double>> handshakes = new LinkedHashMap<>();
        Map<String, List<Double>> heapSlope = new LinkedHashMap<>();
        Map<String, List<Double>> nativeSlope = new LinkedHashMap<>();
        Map<String, List<Double>> userSpaceSlope = new LinkedHashMap<>();
        // A JVM's RSS says little here (forced GCs resize its generations; heap pages once touched
        // by handshake garbage stay resident), so its live heap and native memory are read directly:
        // with a fixed heap, which no count resizes, and native memory tracking on.
        List<String> measured = List.of("-Xms2g", "-Xmx2g", "-XX:+UseParallelGC", "-XX:NativeMemoryTracking=summary");
        for (String name : servers) {
            try (Servers running = Servers.start(List.of(name), root, measured, serverLaunch)) {
                ServerProcess server = running.all().get(0);
                List<double[]> heap = new ArrayList<>();
                List<double[]> off = new ArrayList<>();
                List<double[]> user = new ArrayList<>();
                for (int count : counts) {
                    List<String> args = new ArrayList<>(List.of("connect", url(server, "/echo"), "--connections",
                            Integer.toString(count), "--rate", option("rate", "5000"), "--source-addresses",
                            "127.0.0.1,127.0.0.2,127.0.0.3,127.0.0.4", "--hold", "3", "--server-pid",
                            Long.toString(server.pid()), "--threads", "2"));
                    if (server.jvm) {
                        args.add("--jvm-memory");
                    }
                    Map<String, String> r = generator.run(args, 600);
                    double held = Double.parseDouble(r.get("open_after_hold"));
                    handshakes.computeIfAbsent(name, k -> new ArrayList<>()).add(Double.parseDouble(r.get("handshakes_per_s")));
                    if (server.jvm) {
                        double liveHeap = Double.parseDouble(r.get("server_live_heap_after"));
                        double nativeMemory = Double.parseDouble(r.get("server_native_after"));
                        heap.add(new double[] {held, liveHeap});
                        off.add(new double[] {held, nativeMemory});
                        user.add(new double[] {held, liveHeap + nativeMemory});
                    } else {
                        user.add(new double[] {held, Double.parseDouble(r.get("server_rss_after"))});
                    }
                    progress("connect " + name + " " + count + ": " + r.get("handshakes_per_s") + " handshakes/s, "
                            + r.get("open_after_hold") + " held, " + r.get("errors") + " errors, RSS "
                            + r.get("server_rss_after") + ", live heap " + r.get("server_live_heap_after") + ", native "
                            + r.get("server_native_after"));
                }
                heapSlope.computeIfAbsent(name, k -> new ArrayList<>()).add(server.jvm ? slope(heap) : Double.NaN);
                nativeSlope.computeIfAbsent(name, k -> new ArrayList<>()).add(server.jvm ? slope(off) : Double.NaN);
                userSpaceSlope.computeIfAbsent(name, k -> new ArrayList<>()).add(slope(user));
            }
        }
        table("Handshakes per second (median over the counts) and memory per idle connection (slopes over the counts, bytes)",
                List.of(column("handshakes/s", handshakes), column("live heap per connection", heapSlope),
                        column("native (NMT) per connection", nativeSlope),
                        column("user space per connection (JVM: heap + native; others: RSS)", userSpaceSlope)));
    }

    /** Least-squares slope of y over x. */
    static double slope(List<double[]> points) {
        double n = points.size();
        double sx = 0;
        double sy = 0;
        double sxy = 0;
        double sxx = 0;
        for (double[] p : points) {
            sx += p[0];
            sy += p[1];
            sxy += p[0] * p[1];
            sxx += p[0] * p[0];
        }
        return (n * sxy - sx * sy) / (n * sxx - sx * sx);
    }

    // ---------------------------------------------------------------- fan-out

    private void fanout() throws Exception {
        if (Boolean.parseBoolean(option("hub", "false"))) {
            hubFanout();
            return;
        }
        if (options.containsKey("max-p99-ms")) {
            fanoutMaxRate();
            return;
        }
        List<String> servers = servers("duplex,netty,jetty,java-websocket,vertx,node-ws,c-epoll");
        int rounds = Integer.parseInt(option("rounds", "5"));
        String duration = option("duration", "10");
        heading("Fan-out on /broadcast", option("rate", "10") + " publications/s of " + option("size", "64") + " B, "
                + duration + " s per measurement, " + rounds + " interleaved rounds");
        for (String subscribers : option("subscribers", "1000,10000").split(",")) {
            Map<String, List<Double>> p50 = new LinkedHashMap<>();
            Map<String, List<Double>> p99 = new LinkedHashMap<>();
            Map<String, List<Double>> lost = new LinkedHashMap<>();
            try (Servers running = Servers.start(servers, root, jvmOptions, serverLaunch)) {
                for (int round = 1; round <= rounds; round++) {
                    for (ServerProcess server : running.all()) {
                        Map<String, String> r = generator.run(List.of("fanout", url(server, "/broadcast"), "--subscribers",
                                subscribers, "--rate", option("rate", "10"), "--size", option("size", "64"),
                                "--duration", duration, "--threads", "2"), 600);
                        p50.computeIfAbsent(server.name, k -> new ArrayList<>()).add(Double.parseDouble(r.get("latency_us.p50")));
                        p99.computeIfAbsent(server.name, k -> new ArrayList<>()).add(Double.parseDouble(r.get("latency_us.p99")));
                        lost.computeIfAbsent(server.name, k -> new ArrayList<>()).add(Double.parseDouble(r.get("lost")));
                        progress("fanout " + subscribers + " round " + round + " " + server.name + ": p99 "
                                + r.get("latency_us.p99") + " µs, lost " + r.get("lost"));
                    }
                }
            }
            table("Fan-out to " + subscribers + " subscribers (delivery latency µs; ratio = server / Duplex)",
                    List.of(column("p50", p50), column("p99", p99), column("lost", lost)));
        }
    }

    /**
     * {@code fanout --max-p99-ms 50 --rates 20,50,100,…}: the highest publication rate at which
     * every subscriber still gets its deliveries with p99 under the limit and none lost. In each
     * round every server climbs the ladder of rates until one fails, so a server is charged for the
     * first rate it cannot hold; the table gives the median over the rounds of the highest rate
     * held (0: not even the lowest).
     */
    private void fanoutMaxRate() throws Exception {
        List<String> servers = servers("duplex,netty,jetty,java-websocket,vertx,node-ws,c-epoll");
        int rounds = Integer.parseInt(option("rounds", "3"));
        String duration = option("duration", "5");
        double limitMicros = Double.parseDouble(option("max-p99-ms", "50")) * 1000;
        List<Integer> rates = new ArrayList<>();
        for (String rate : option("rates", "20,50,100,200,400,800").split(",")) {
            rates.add(Integer.parseInt(rate));
        }
        heading("Highest fan-out rate with p99 under " + option("max-p99-ms", "50") + " ms",
                "publications/s of " + option("size", "64") + " B climbing " + rates + ", " + duration
                        + " s per step, no delivery lost; " + rounds + " interleaved rounds");
        for (String subscribers : option("subscribers", "1000").split(",")) {
            Map<String, List<Double>> held = new LinkedHashMap<>();
            Map<String, List<Double>> deliveries = new LinkedHashMap<>();
            Map<String, List<Double>> p99AtHeld = new LinkedHashMap<>();
            try (Servers running = Servers.start(servers, root, jvmOptions, serverLaunch)) {
                for (int round = 1; round <= rounds; round++) {
                    for (ServerProcess server : running.all()) {
                        double best = 0;
                        double bestP99 = Double.NaN;
                        for (int rate : rates) {
                            Map<String, String> r = generator.run(List.of("fanout", url(server, "/broadcast"), "--subscribers",
                                    subscribers, "--rate", Integer.toString(rate), "--size", option("size", "64"),
                                    "--duration", duration, "--threads", "2"), 600);
                            double p99 = Double.parseDouble(r.get("latency_us.p99"));
                            boolean holds = p99 < limitMicros && Double.parseDouble(r.get("lost")) == 0
                                    && Double.parseDouble(r.get("errors")) == 0;
                            progress("fanout " + subscribers + " round " + round + " " + server.name + " at " + rate
                                    + "/s: p99 " + r.get("latency_us.p99") + " µs, lost " + r.get("lost")
                                    + (holds ? "" : ": over the limit, stop climbing"));
                            if (!holds) {
                                break;
                            }
                            best = rate;
                            bestP99 = p99;
                        }
                        held.computeIfAbsent(server.name, k -> new ArrayList<>()).add(best);
                        deliveries.computeIfAbsent(server.name, k -> new ArrayList<>()).add(best * Integer.parseInt(subscribers));
                        p99AtHeld.computeIfAbsent(server.name, k -> new ArrayList<>()).add(bestP99);
                    }
                }
            }
            table("Highest rate with p99 < " + option("max-p99-ms", "50") + " ms, " + subscribers
                            + " subscribers (higher is better: ratio = server / Duplex)",
                    List.of(column("publications/s held", held), column("deliveries/s", deliveries),
                            column("p99 µs at that rate", p99AtHeld)));
        }
    }

    /**
     * {@code fanout --hub}: Duplex only (the peers have no hub), one {@code duplex serve} per
     * subscriber count, measuring in interleaved rounds its raw {@code /broadcast} and its hub
     * ({@code /connect}, channel {@code --channel}) at the same subscriber count and rate, so the
     * hub's overhead shows as the ratio of the two rows. The hub runs with join/leave pushes off
     * (they would cost N² messages while subscribing, not fan-out) and an admission rate that does
     * not slow the subscribers' connects.
     */
    private void hubFanout() throws Exception {
        int rounds = Integer.parseInt(option("rounds", "5"));
        String duration = option("duration", "10");
        String channel = option("channel", "fanout");
        heading("Fan-out through the hub next to raw /broadcast (Duplex)", option("rate", "10") + " publications/s of "
                + option("size", "64") + " B (the hub: " + option("size", "64") + " B of data in each publication), "
                + duration + " s per measurement, " + rounds + " interleaved rounds; hub channel " + channel
                + " with join/leave pushes off; ratio = row / raw /broadcast");
        Map<String, String> environment = Map.of(
                "DUPLEX_DEFAULT_NAMESPACE_JOIN_LEAVE", "false",
                "DUPLEX_HUB_CONNECTIONS_PER_SECOND", "100000",
                "DUPLEX_HUB_CONNECTION_BURST", "100000");
        String raw = "duplex /broadcast";
        String hub = "duplex hub /connect";
        for (String subscribers : option("subscribers", "1000,10000").split(",")) {
            Map<String, List<Double>> p50 = new LinkedHashMap<>();
            Map<String, List<Double>> p99 = new LinkedHashMap<>();
            Map<String, List<Double>> cpu = new LinkedHashMap<>();
            Map<String, List<Double>> lost = new LinkedHashMap<>();
            try (Servers running = Servers.start(List.of("duplex"), root, jvmOptions, environment, serverLaunch)) {
                ServerProcess server = running.all().get(0);
                for (int round = 1; round <= rounds; round++) {
                    // Alternate which goes first, so neither always runs on a warmer server.
                    List<String> order = round % 2 == 1 ? List.of(raw, hub) : List.of(hub, raw);
                    for (String mode : order) {
                        List<String> args = new ArrayList<>(mode.equals(raw)
                                ? List.of("fanout", url(server, "/broadcast"))
                                : List.of("fanout", url(server, "/connect"), "--hub", "--channel", channel, "--connect-rate", "20000"));
                        args.addAll(List.of("--subscribers", subscribers, "--rate", option("rate", "10"), "--size",
                                option("size", "64"), "--duration", duration, "--threads", "2"));
                        ProcStats before = server.stats();
                        Map<String, String> r = generator.run(args, 600);
                        ProcStats used = server.stats().minus(before);
                        double deliveries = Double.parseDouble(r.get("deliveries"));
                        p50.computeIfAbsent(mode, k -> new ArrayList<>()).add(Double.parseDouble(r.get("latency_us.p50")));
                        p99.computeIfAbsent(mode, k -> new ArrayList<>()).add(Double.parseDouble(r.get("latency_us.p99")));
                        cpu.computeIfAbsent(mode, k -> new ArrayList<>())
                                .add(deliveries == 0 ? Double.NaN : used.cpuMillis() * 1000.0 / deliveries);
                        lost.computeIfAbsent(mode, k -> new ArrayList<>()).add(Double.parseDouble(r.get("lost")));
                        progress("fanout " + subscribers + " round " + round + " " + mode + ": p99 " + r.get("latency_us.p99")
                                + " µs, lost " + r.get("lost") + ", errors " + r.get("errors") + ", server CPU "
                                + used.cpuMillis() + " ms for " + r.get("deliveries") + " deliveries");
                    }
                }
            }
            table("Hub fan-out to " + subscribers + " subscribers (delivery latency µs, server CPU µs per delivery "
                            + "(whole run, setup included); ratio = row / raw /broadcast)",
                    List.of(column("p50", p50), column("p99", p99), column("server CPU µs per delivery", cpu),
                            column("lost", lost)), raw);
        }
    }

    // ---------------------------------------------------------------- output

    private static String url(ServerProcess server, String path) {
        return "ws://127.0.0.1:" + server.port + path;
    }

    private record Column(String title, Map<String, Stats> stats) {
    }

    private static Column column(String title, Map<String, List<Double>> values) {
        Map<String, Stats> stats = new LinkedHashMap<>();
        values.forEach((server, list) -> stats.put(server, Stats.of(list)));
        return new Column(title, stats);
    }

    private void heading(String title, String conditions) {
        String text = String.format(Locale.ROOT, "%n## %s%n%n%s. Machine: %d cores, %s, Java %s. Run %s.%n",
                title, conditions, Runtime.getRuntime().availableProcessors(), cpuModel(), System.getProperty("java.version"),
                LocalDateTime.now().format(DateTimeFormatter.ISO_LOCAL_DATE_TIME));
        out.print(text);
        report.append(text);
    }

    /** One markdown table: a row per server, median [min–max] per column and the median's ratio to Duplex. */
    private void table(String title, List<Column> columns) {
        table(title, columns, "duplex");
    }

    /** The same, with ratios to the row named {@code reference}. */
    private void table(String title, List<Column> columns, String reference) {
        String against = reference.equals("duplex") ? "Duplex" : reference;
        StringBuilder t = new StringBuilder(String.format(Locale.ROOT, "%n### %s%n%n| server |", title));
        for (Column c : columns) {
            t.append(' ').append(c.title).append(" median [min–max] | ratio to ").append(against).append(" |");
        }
        t.append("\n|---|").append("---|---|".repeat(columns.size())).append('\n');
        for (String server : columns.get(0).stats.keySet()) {
            t.append("| ").append(server).append(" |");
            for (Column c : columns) {
                Stats s = c.stats.get(server);
                Stats duplex = c.stats.get(reference);
                double ratio = duplex == null || duplex.median() == 0 ? Double.NaN : s.median() / duplex.median();
                t.append(String.format(Locale.ROOT, " %s [%s–%s] | %s |", number(s.median()), number(s.min()), number(s.max()),
                        Double.isNaN(ratio) ? "–" : String.format(Locale.ROOT, "%.2f", ratio)));
            }
            t.append('\n');
        }
        out.print(t);
        report.append(t);
    }

    private static String number(double value) {
        if (Double.isNaN(value)) {
            return "–";
        }
        return Math.abs(value) >= 100 ? String.format(Locale.ROOT, "%,.0f", value) : String.format(Locale.ROOT, "%.2f", value);
    }

    private void progress(String line) {
        System.err.println("  " + line);
    }

    private void save(String scenario) throws IOException {
        Path dir = root.resolve(option("results", "bench/results"));
        Files.createDirectories(dir);
        Path file = dir.resolve(scenario + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + ".md");
        Files.writeString(file, report, StandardOpenOption.CREATE_NEW);
        out.println("\nSaved to " + file);
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException ignored) {
            // not Linux: leave the model out
        }
        return "unknown CPU";
    }

    /** The servers of one measurement, started together and stopped together. */
    private record Servers(List<ServerProcess> all, Thread onExit) implements AutoCloseable {
        static Servers start(List<String> names, Path root, List<String> jvmOptions, List<String> launch)
                throws IOException, InterruptedException {
            return start(names, root, jvmOptions, Map.of(), launch);
        }

        static Servers start(List<String> names, Path root, List<String> jvmOptions, Map<String, String> environment,
                List<String> launch) throws IOException, InterruptedException {
            List<ServerProcess> started = new ArrayList<>();
            // If the runner itself is stopped (Ctrl+C, kill), its servers must not outlive it.
            Thread onExit = new Thread(() -> started.forEach(ServerProcess::close), "bench-stop-servers");
            Runtime.getRuntime().addShutdownHook(onExit);
            Servers servers = new Servers(started, onExit);
            try {
                for (String name : names) {
                    started.add(ServerProcess.start(ServerProcess.ServerKind.named(name), root, jvmOptions, environment, launch));
                }
            } catch (IOException | RuntimeException e) {
                servers.close();
                throw e;
            }
            return servers;
        }

        @Override
        public void close() {
            for (ServerProcess server : all) {
                server.close();
            }
            try {
                Runtime.getRuntime().removeShutdownHook(onExit);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or about to: the servers are being closed anyway
            }
        }
    }
}

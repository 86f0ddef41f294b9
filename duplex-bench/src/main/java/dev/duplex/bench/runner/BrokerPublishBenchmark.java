package dev.duplex.bench.runner;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.duplex.hub.broker.Broker;
import dev.duplex.hub.broker.BrokerListener;
import dev.duplex.hub.broker.HistoryOptions;
import dev.duplex.hub.broker.MemoryBroker;
import dev.duplex.hub.broker.PublishRequest;
import dev.duplex.hub.broker.redis.RedisBroker;
import dev.duplex.hub.broker.redis.RedisBrokerOptions;
import dev.duplex.hub.protocol.ClientInfo;
import dev.duplex.hub.protocol.Payload;
import dev.duplex.hub.protocol.Publication;
import dev.duplex.testkit.RedisProcess;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * How fast publications go through the hub's broker: the Redis broker (one Lua script per
 * publication: de-duplication, numbering, the stream entry and the sharded publish) next to the
 * in-memory broker of a single node, in interleaved rounds, to one channel and spread over many.
 * Each publication is what a hub publishes for a client: 64 bytes of JSON, history kept, a message
 * id for de-duplication; the node is subscribed to every channel, so each publication also comes
 * back to it, as it does to a node with subscribers. Reported: publications per second, and for
 * Redis the publications per Redis CPU-second (its utime + stime from /proc) and the JVM's CPU per
 * publication.
 *
 * <pre>java -cp duplex-bench/target/benchmarks.jar dev.duplex.bench.runner.BrokerPublishBenchmark
 *     [--publications 50000] [--channels 1,1000] [--in-flight 256] [--rounds 3]</pre>
 */
public final class BrokerPublishBenchmark {
    private static final HistoryOptions HISTORY = new HistoryOptions(100, Duration.ofMinutes(5), Duration.ofHours(1));
    private static final ClientInfo PUBLISHER = new ClientInfo("bench-publisher", "", null);

    private BrokerPublishBenchmark() {
    }

    /** One measurement: how long it took and what it cost. */
    record Result(long publications, long nanos, long redisCpuMillis, long jvmCpuNanos, long delivered) {
        double perSecond() {
            return publications * 1e9 / nanos;
        }
    }

    public static void main(String[] args) throws Exception {
        int publications = 50_000;
        List<Integer> channelCounts = List.of(1, 1_000);
        int inFlight = 256;
        int rounds = 3;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--publications" -> publications = Integer.parseInt(args[i + 1]);
                case "--channels" -> channelCounts = parseList(args[i + 1]);
                case "--in-flight" -> inFlight = Integer.parseInt(args[i + 1]);
                case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("Unknown option " + args[i]
                        + "; options: --publications N --channels 1,1000 --in-flight N --rounds N");
            }
        }
        try (RedisProcess redis = RedisProcess.start()) {
            System.out.printf(Locale.ROOT, "## Publish throughput through the broker%n%n%,d publications of 64 B per "
                    + "measurement, %d in flight, %d interleaved rounds; Redis %s on the same 2 cores.%n", publications,
                    inFlight, rounds, redis.command("INFO", "server").lines()
                            .filter(l -> l.startsWith("redis_version:")).map(l -> l.substring("redis_version:".length()).trim())
                            .findFirst().orElse("?"));
            for (int channels : channelCounts) {
                List<Result> memory = new ArrayList<>();
                List<Result> onRedis = new ArrayList<>();
                for (int round = 0; round <= rounds; round++) { // round 0 warms up, unreported
                    Result m = measure(new MemoryBroker(), -1, publications, channels, inFlight, round);
                    redis.command("FLUSHALL");
                    Result r = measure(new RedisBroker(RedisBrokerOptions.builder().uri(redis.uri()).build()), redis.pid(),
                            publications, channels, inFlight, round);
                    if (round > 0) {
                        memory.add(m);
                        onRedis.add(r);
                    }
                }
                print(channels, memory, onRedis);
            }
        }
    }

    private static List<Integer> parseList(String value) {
        List<Integer> list = new ArrayList<>();
        for (String part : value.split(",")) {
            list.add(Integer.parseInt(part.trim()));
        }
        return list;
    }

    private static Result measure(Broker broker, long redisPid, int publications, int channels, int inFlight, int round)
            throws Exception {
        AtomicLong delivered = new AtomicLong();
        broker.listener(new BrokerListener() {
            @Override
            public void onPublication(String epoch, Publication publication) {
                delivered.incrementAndGet();
            }

            @Override
            public void onJoin(String channel, ClientInfo info) {
            }

            @Override
            public void onLeave(String channel, ClientInfo info) {
            }
        });
        try {
            String prefix = "bench-" + round + "-" + channels + ":";
            for (int c = 0; c < channels; c++) {
                broker.subscribe(prefix + c).get(30, TimeUnit.SECONDS);
            }
            ObjectNode data = JsonNodeFactory.instance.objectNode().put("sensor", "t-1").put("value", 21.5).put("pad", "x".repeat(20));
            Payload payload = Payload.json(data);
            Semaphore window = new Semaphore(inFlight);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            long redisBefore = redisPid < 0 ? 0 : ProcStats.of(redisPid).cpuMillis();
            long jvmBefore = os.getProcessCpuTime();
            long start = System.nanoTime();
            for (int i = 0; i < publications && failure.get() == null; i++) {
                if (!window.tryAcquire(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("No answer from the broker within 30 s");
                }
                PublishRequest request = new PublishRequest(prefix + (i % channels), payload, PUBLISHER, null, HISTORY,
                        "m-" + i, Duration.ofMinutes(2));
                broker.publish(request).whenComplete((result, error) -> {
                    if (error != null) {
                        failure.compareAndSet(null, error);
                    }
                    window.release();
                });
            }
            if (!window.tryAcquire(inFlight, 60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("Publications still unanswered after 60 s");
            }
            long nanos = System.nanoTime() - start;
            if (failure.get() != null) {
                throw new IllegalStateException("A publication failed", failure.get());
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (delivered.get() < publications && System.nanoTime() < deadline) {
                Thread.sleep(1); // the last deliveries travel back over pub/sub
            }
            long redisCpu = redisPid < 0 ? 0 : ProcStats.of(redisPid).cpuMillis() - redisBefore;
            long jvmCpu = os.getProcessCpuTime() - jvmBefore;
            return new Result(publications, nanos, redisCpu, jvmCpu, delivered.get());
        } finally {
            broker.close();
        }
    }

    private static double median(List<Result> results, java.util.function.ToDoubleFunction<Result> f) {
        double[] values = results.stream().mapToDouble(f).sorted().toArray();
        return values[values.length / 2];
    }

    private static void print(int channels, List<Result> memory, List<Result> redis) {
        double memRate = median(memory, Result::perSecond);
        double redisRate = median(redis, Result::perSecond);
        double perRedisCpu = median(redis, r -> r.redisCpuMillis() == 0 ? Double.NaN : r.publications() * 1000.0 / r.redisCpuMillis());
        System.out.printf(Locale.ROOT, "%n### %,d channel%s%n%n| broker | publications/s (median) | ratio to memory | "
                        + "per Redis CPU-second | JVM CPU µs per publication | delivered back |%n|---|---|---|---|---|---|%n",
                channels, channels == 1 ? "" : "s");
        System.out.printf(Locale.ROOT, "| memory (one node) | %,.0f | 1.00 | – | %.1f | %,d |%n", memRate,
                median(memory, r -> r.jvmCpuNanos() / 1000.0 / r.publications()), memory.get(0).delivered());
        System.out.printf(Locale.ROOT, "| redis | %,.0f | %.2f | %,.0f | %.1f | %,d |%n", redisRate, redisRate / memRate,
                perRedisCpu, median(redis, r -> r.jvmCpuNanos() / 1000.0 / r.publications()), redis.get(0).delivered());
    }
}

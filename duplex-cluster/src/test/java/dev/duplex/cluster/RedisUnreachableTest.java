package dev.duplex.cluster;

import static dev.duplex.cluster.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.duplex.hub.broker.HistoryPage;
import dev.duplex.hub.protocol.Command;
import dev.duplex.hub.protocol.ErrorCode;
import dev.duplex.hub.protocol.Publication;
import dev.duplex.hub.protocol.ServerMessage;
import dev.duplex.hub.protocol.StreamPosition;
import dev.duplex.testkit.FaultProxy;
import dev.duplex.testkit.RedisProcess;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Redis becomes unreachable for a while (a proxy between the nodes and Redis resets every
 * connection and refuses new ones), under two nodes with subscribers and a publisher each, then
 * comes back. While it is away every publication is refused with error 116 (BROKER_UNAVAILABLE) and
 * nothing is acknowledged falsely: afterwards every acknowledged publication is in history at its
 * acknowledged offset, and no refused one is, except possibly one in flight when the link died,
 * which the client retries with the same message id and which is then stored exactly once. Nodes
 * and every client connection stay up, publications flow again, subscribers end with the whole
 * stream exactly once, and the test JVM (both nodes, all clients) holds as many file descriptors
 * and as much heap afterwards as before, within a stated tolerance.
 *
 * <p>The outage lasts {@code -Dduplex.cluster.outageSeconds} (default 10).
 */
class RedisUnreachableTest {
    static final Duration OUTAGE = secondsProperty("duplex.cluster.outageSeconds", Duration.ofSeconds(10));
    static final int PER_NODE = 20;
    static final int WARM_UP = 100;
    static final int BEFORE_CUT = 20;
    static final int AFTER_RESTORE = 50;
    static final int MAX_PER_PUBLISHER = 20_000;
    static final long PACE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /** During the outage refusals come back at once: publish faster, and larger, to expose leaks. */
    static final long OUTAGE_PACE_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    static final String OUTAGE_PAD = "x".repeat(8 * 1024);
    /**
     * A descriptor leak per failed reconnect (each broker retries its connections at least once a
     * second for the whole outage: dozens of attempts) or per refused publication (thousands) would
     * be far beyond this; a few may open or close for reasons of their own (a jar, an epoll fd).
     */
    static final int FD_TOLERANCE = 8;
    /** Far below what retaining the refused publications would hold (asserted: at least 4 times this). */
    static final long HEAP_TOLERANCE = 8L << 20;
    static final Duration WAIT = Duration.ofSeconds(30);

    /** 0: before the cut; 1: cut() returned, restore() not yet called; 2: restore() is being called or was. */
    volatile int phase;

    /**
     * One publication's fate, kept small (10,000 of them are held across the heap measurement): the
     * ack's offset, epoch and duplicate flag, or the error code.
     */
    record Outcome(String p, int sentIn, int answeredIn, long offset, String epoch, boolean duplicate, int error,
                   boolean big, long answeredAt) {
        static Outcome of(String p, int sentIn, int answeredIn, ServerMessage reply, boolean big) {
            if (reply instanceof ServerMessage.Ack ack) {
                return new Outcome(p, sentIn, answeredIn, ack.offset(), ack.epoch(), ack.duplicate(), 0, big, System.nanoTime());
            }
            if (reply instanceof ServerMessage.Error e) {
                return new Outcome(p, sentIn, answeredIn, -1, null, false, e.code(), big, System.nanoTime());
            }
            throw new AssertionError("publish " + p + " answered " + reply);
        }

        boolean acked() {
            return error == 0;
        }
    }

    final class Publisher implements Runnable {
        final String name;
        final WireClient wire;
        final String channel;
        final List<Outcome> outcomes = new ArrayList<>();
        volatile boolean stop;
        volatile Throwable failure;
        int n;

        Publisher(String name, WireClient wire, String channel) {
            this.name = name;
            this.wire = wire;
            this.channel = channel;
        }

        Outcome publishOne() {
            String p = name + "-" + (++n);
            int sentIn = phase;
            ObjectNode data = JsonNodeFactory.instance.objectNode().put("p", p);
            if (sentIn == 1) {
                data.put("pad", OUTAGE_PAD);
            }
            ServerMessage reply = wire.publish(channel, data, p);
            Outcome o = Outcome.of(p, sentIn, phase, reply, sentIn == 1);
            synchronized (outcomes) {
                outcomes.add(o);
            }
            return o;
        }

        List<Outcome> outcomes() {
            synchronized (outcomes) {
                return List.copyOf(outcomes);
            }
        }

        long count(java.util.function.Predicate<Outcome> which) {
            return outcomes().stream().filter(which).count();
        }

        @Override
        public void run() {
            try {
                long next = System.nanoTime();
                while (!stop && n < MAX_PER_PUBLISHER) {
                    publishOne();
                    next += phase == 1 ? OUTAGE_PACE_NANOS : PACE_NANOS;
                    LockSupport.parkNanos(next - System.nanoTime()); // the pace, not a synchronisation
                }
            } catch (Throwable t) {
                failure = t;
            }
        }
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void publicationsFailWith116WhileRedisIsUnreachableAndEverythingResumesAfterwards() throws Exception {
        String channel = "room-" + UUID.randomUUID().toString().substring(0, 8);
        try (Closer closer = new Closer()) {
            RedisProcess redis = closer.push(RedisProcess.start());
            FaultProxy proxy = closer.push(new FaultProxy(redis.port()));
            ClusterFixture cluster = closer.push(ClusterFixture.forFaults("redis://127.0.0.1:" + proxy.port(), 2));
            ClusterNode a = cluster.node(0);
            ClusterNode b = cluster.node(1);

            // A closed connection is a failure here: nowhere to resume to.
            List<WireClient> subscribers = cluster.subscribers(channel, 2 * PER_NODE, null, s -> assertThat(s.offset()).isZero());
            String epoch = subscribers.get(0).epoch();
            List<Publisher> publishers = new ArrayList<>();
            for (ClusterNode node : List.of(a, b)) {
                publishers.add(new Publisher(node == a ? "A" : "B", cluster.commands(node), channel));
            }

            // Warm-up, then the baseline of descriptors and heap with everything quiet.
            for (Publisher p : publishers) {
                for (int i = 0; i < WARM_UP; i++) {
                    assertThat(p.publishOne().acked()).isTrue();
                }
            }
            await(WAIT, () -> "subscribers caught up", () -> subscribers.stream().allMatch(s -> s.position() == 2 * WARM_UP));
            long fdsBefore = openFileDescriptors();
            long heapBefore = heapAfterGc();

            List<Thread> threads = new ArrayList<>();
            for (Publisher p : publishers) {
                Thread t = new Thread(p, "fault-publisher-" + p.name);
                t.setDaemon(true);
                threads.add(t);
                closer.later(() -> {
                    p.stop = true;
                    t.join(WAIT.toMillis());
                });
                t.start();
            }
            await(WAIT, () -> "publications before the cut",
                    () -> publishers.stream().allMatch(p -> p.count(o -> o.acked()) >= WARM_UP + BEFORE_CUT));

            proxy.cut();
            phase = 1;
            Thread.sleep(OUTAGE.toMillis()); // the outage itself
            phase = 2;
            proxy.restore();
            long restored = System.nanoTime();

            await(WAIT, () -> "publications after the restore: " + publishers.stream()
                            .map(p -> p.count(o -> o.sentIn() == 2 && o.acked())).toList(),
                    () -> publishers.stream().allMatch(p -> p.count(o -> o.sentIn() == 2 && o.acked()) >= AFTER_RESTORE));
            for (int i = 0; i < threads.size(); i++) {
                publishers.get(i).stop = true;
                threads.get(i).join(WAIT.toMillis());
                assertThat(threads.get(i).isAlive()).isFalse();
                assertThat(publishers.get(i).failure).isNull();
            }

            // Refusals are error 116, every publication whose whole life was in the outage was refused.
            List<Outcome> all = new ArrayList<>();
            publishers.forEach(p -> all.addAll(p.outcomes()));
            List<Outcome> refused = all.stream().filter(o -> !o.acked()).toList();
            for (Outcome o : refused) {
                assertThat(o.error()).as(o.p()).isEqualTo(ErrorCode.BROKER_UNAVAILABLE.code());
            }
            List<Outcome> inOutage = all.stream().filter(o -> o.sentIn() == 1 && o.answeredIn() == 1).toList();
            assertThat(inOutage).as("publications during the outage").hasSizeGreaterThan(100).noneMatch(Outcome::acked);
            long refusedBytes = refused.stream().filter(Outcome::big).count() * OUTAGE_PAD.length();
            assertThat(refusedBytes).as("payload bytes refused, for the heap check to mean something")
                    .isGreaterThanOrEqualTo(4 * HEAP_TOLERANCE);
            // Back within the documented reconnect back-off (at most 1 s between attempts), with room for a loaded machine.
            long firstAck = all.stream().filter(o -> o.sentIn() == 2 && o.acked()).mapToLong(Outcome::answeredAt).min().orElseThrow();
            Duration backAfter = Duration.ofNanos(firstAck - restored);
            assertThat(backAfter).as("first acknowledgement after the restore").isLessThanOrEqualTo(Duration.ofSeconds(5));

            // Publications refused but sent before cut() returned may have reached Redis: the client
            // retries them with the same message id; a stored one is answered as a duplicate at its offset.
            Map<String, Long> beforeRetries = history(a, channel, epoch);
            List<Outcome> retried = new ArrayList<>();
            for (Publisher p : publishers) {
                for (Outcome o : p.outcomes()) {
                    if (o.sentIn() == 0 && !o.acked()) {
                        ServerMessage reply = p.wire.publish(channel, JsonNodeFactory.instance.objectNode().put("p", o.p()), o.p());
                        assertThat(reply).as("retry of " + o.p()).isInstanceOf(ServerMessage.Ack.class);
                        ServerMessage.Ack ack = (ServerMessage.Ack) reply;
                        Long stored = beforeRetries.get(o.p());
                        assertThat(ack.duplicate()).as("retry of " + o.p() + " is a duplicate iff it was stored").isEqualTo(stored != null);
                        if (stored != null) {
                            assertThat(ack.offset()).isEqualTo(stored);
                        }
                        retried.add(Outcome.of(o.p(), 2, 2, reply, false));
                    }
                }
            }

            // Nodes up: a new connection to each is served.
            for (ClusterNode node : List.of(a, b)) {
                WireClient fresh = cluster.commands(node);
                assertThat(fresh.request(id -> new Command.Ping(id)).get(WAIT.toSeconds(), TimeUnit.SECONDS))
                        .isInstanceOf(ServerMessage.Pong.class);
                fresh.close();
            }

            // No false ack: history holds exactly the acknowledged publications, at their offsets.
            Map<String, Long> history = history(a, channel, epoch);
            long top = history.size();
            assertThat(history.values()).as("history offsets 1..top").containsExactlyInAnyOrderElementsOf(
                    LongStream.rangeClosed(1, top).boxed().toList());
            Map<String, Long> acks = new HashMap<>();
            for (Outcome o : all) {
                if (o.acked()) {
                    assertThat(o.duplicate()).isFalse();
                    assertThat(o.epoch()).isEqualTo(epoch);
                    acks.put(o.p(), o.offset());
                }
            }
            for (Outcome o : retried) {
                acks.put(o.p(), o.offset());
            }
            assertThat(history).as("every acknowledged publication at its offset, nothing else").isEqualTo(acks);
            for (Outcome o : refused) {
                if (o.sentIn() != 0) {
                    assertThat(history).as("refused " + o.p() + " is not stored").doesNotContainKey(o.p());
                }
            }

            // Every client stayed connected, and every subscriber has the whole stream once, in order.
            await(WAIT, () -> "subscribers at offset " + top, () -> subscribers.stream().allMatch(s -> s.position() >= top));
            for (WireClient s : subscribers) {
                assertThat(s.problems()).isEmpty();
                assertThat(s.refusals()).isEmpty();
                assertThat(s.closes()).isEmpty();
                assertThat(s.disconnects()).isEmpty();
                assertThat(s.epochs()).containsExactly(epoch);
                assertThat(s.offsets(epoch)).containsExactly(LongStream.rangeClosed(1, top).toArray());
            }
            for (Publisher p : publishers) {
                assertThat(p.wire.closes()).isEmpty();
                assertThat(p.wire.problems()).isEmpty();
            }
            assertThat(a.broker().gaps()).isZero();
            assertThat(b.broker().gaps()).isZero();

            long fdsAfter = openFileDescriptors();
            long heapAfter = heapAfterGc();
            System.out.printf("RedisUnreachableTest: outage %d ms, first ack %d ms after the restore, %d publications refused with 116 (%d during the outage, %d MiB "
                            + "of payload), %d retried, %d stored; file descriptors %d -> %d, heap after GC %d -> %d KiB%n",
                    OUTAGE.toMillis(), backAfter.toMillis(), refused.size(), inOutage.size(), refusedBytes >> 20, retried.size(), top,
                    fdsBefore, fdsAfter, heapBefore >> 10, heapAfter >> 10);
            assertThat(fdsAfter).as("file descriptors after the outage").isLessThanOrEqualTo(fdsBefore + FD_TOLERANCE);
            assertThat(heapAfter).as("heap after GC after the outage").isLessThanOrEqualTo(heapBefore + HEAP_TOLERANCE);
        }
    }

    /** The channel's whole history, publication data "p" → offset, read page by page. */
    private static Map<String, Long> history(ClusterNode node, String channel, String epoch) throws Exception {
        Map<String, Long> out = new HashMap<>();
        long after = 0;
        for (int page = 0; page < 1_000; page++) {
            HistoryPage h = node.server().hub().history(channel, new StreamPosition(after, epoch), ClusterNode.FAULT_HISTORY)
                    .get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(h.recoverable()).isTrue();
            assertThat(h.epoch()).isEqualTo(epoch);
            for (Publication p : h.publications()) {
                assertThat(out.put(p.payload().tree().get("p").asText(), p.offset())).as("stored once").isNull();
                after = p.offset();
            }
            if (h.publications().isEmpty() || after >= h.offset()) {
                return out;
            }
        }
        throw new AssertionError("history of " + channel + " did not end within 1,000 pages");
    }

    /** A duration property in seconds (e.g. {@code -Dduplex.cluster.outageSeconds=10}). */
    private static Duration secondsProperty(String name, Duration fallback) {
        String v = System.getProperty(name);
        return v == null || v.isBlank() ? fallback : Duration.ofMillis(Math.round(Double.parseDouble(v.strip()) * 1000));
    }

    private static long openFileDescriptors() throws IOException {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    private static long heapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}

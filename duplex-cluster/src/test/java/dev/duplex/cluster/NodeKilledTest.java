package dev.duplex.cluster;

import static dev.duplex.cluster.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.duplex.hub.broker.NodeStatus;
import dev.duplex.hub.protocol.ClientInfo;
import dev.duplex.hub.protocol.ServerMessage;
import dev.duplex.testkit.RedisProcess;
import dev.duplex.websocket.WebSocketClient;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node dies (SIGKILL: no drain, no goodbye to Redis) with a thousand subscribers while a publisher
 * on another node keeps publishing. Node A is a {@code duplex serve} process on a real Redis; node
 * B runs in this JVM. Every subscriber resumes on B from the position it had (the protocol's
 * {@code connect} with {@code subs}) and must end with every publication exactly once, in offset
 * order; A's presence members must disappear within the documented presence TTL (checked in Redis'
 * clock, exactly), and B must list A as gone within the documented three heartbeats (plus one of
 * B's, as its list is as of its last heartbeat, and 1 s for a loaded machine).
 *
 * <p>The subscriber count is {@code -Dduplex.cluster.subscribers} (default 1,000).
 */
class NodeKilledTest {
    static final int SUBSCRIBERS = intProperty("duplex.cluster.subscribers", 1_000);
    /** Publications before the kill, and at least this many after every subscriber resumed on B. */
    static final int BEFORE_KILL = 100;
    static final int AFTER_RESUME = 100;
    /** The publisher's pace: one publication per 20 ms (50 a second), acknowledged one at a time. */
    static final long PACE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    /** The hard cap on publications, whatever happens. */
    static final int MAX_PUBLICATIONS = 5_000;
    /** Documented defaults of duplex serve's Redis broker (docs/redis-broker.md, RedisBrokerOptions). */
    static final Duration PRESENCE_TTL = Duration.ofSeconds(15);
    static final Duration HEARTBEAT = Duration.ofSeconds(2);
    static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void subscribersOfAKilledNodeResumeOnAnotherWithEveryPublicationOnceAndItsPresenceExpires(@TempDir Path dir) throws Exception {
        String channel = "room-" + UUID.randomUUID().toString().substring(0, 8);
        try (Closer closer = new Closer()) {
            RedisProcess redis = closer.push(RedisProcess.start());
            ProcessNode a = closer.push(new ProcessNode(redis.uri(), dir.resolve("node-a"), WAIT));
            // B has the broker of duplex serve: the default options.
            ClusterNode b = closer.push(ClusterNode.forFaults(redis.uri()));
            WebSocketClient ws = closer.push(WebSocketClient.builder().eventLoops(2).build());
            URI toB = b.uri();

            // A thousand subscribers on A; when their connection dies, they resume on B.
            List<WireClient> subscribers = new ArrayList<>();
            closer.later(() -> subscribers.forEach(WireClient::close));
            for (int i = 0; i < SUBSCRIBERS; i++) {
                subscribers.add(WireClient.subscriber(ws, channel, w -> toB));
            }
            List<CompletableFuture<ServerMessage>> subscribing = new ArrayList<>();
            for (WireClient s : subscribers) {
                subscribing.add(s.open(a.uri()).thenCompose(c -> s.subscribe()));
            }
            String epoch = null;
            for (CompletableFuture<ServerMessage> f : subscribing) {
                ServerMessage reply = f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertThat(reply).isInstanceOf(ServerMessage.Subscribed.class);
                ServerMessage.Subscribed s = (ServerMessage.Subscribed) reply;
                assertThat(s.offset()).as("subscribed before any publication").isZero();
                epoch = epoch == null ? s.epoch() : epoch;
                assertThat(s.epoch()).isEqualTo(epoch);
            }
            Set<String> onA = new HashSet<>();
            subscribers.forEach(s -> onA.add(s.clientIds().get(0)));
            assertThat(onA).hasSize(SUBSCRIBERS);
            await(WAIT, () -> "A's members in presence", () -> presenceIds(b, channel).equals(onA));
            await(WAIT, () -> "B lists A as alive", () -> otherNodes(b).stream().anyMatch(NodeStatus::alive));
            String nodeA = otherNodes(b).get(0).id();

            // The publisher, on B: acknowledged publications one at a time, paced.
            WireClient publisher = closer.push(WireClient.commands(ws));
            publisher.open(toB).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            AtomicLong acked = new AtomicLong();
            AtomicLong stopAt = new AtomicLong(Long.MAX_VALUE);
            AtomicReference<Throwable> publisherFailed = new AtomicReference<>();
            List<Long> ackOffsets = new ArrayList<>();
            Thread publishing = new Thread(() -> {
                try {
                    long next = System.nanoTime();
                    for (int n = 1; n <= MAX_PUBLICATIONS && n <= stopAt.get(); n++) {
                        int i = n;
                        ServerMessage reply = publisher.publish(channel, JsonNodeFactory.instance.numberNode(i), "kill-" + i);
                        if (!(reply instanceof ServerMessage.Ack ack)) {
                            throw new AssertionError("publication " + i + " answered " + reply);
                        }
                        synchronized (ackOffsets) {
                            ackOffsets.add(ack.offset());
                        }
                        acked.set(n);
                        next += PACE_NANOS;
                        LockSupport.parkNanos(next - System.nanoTime()); // the pace, not a synchronisation
                    }
                } catch (Throwable t) {
                    publisherFailed.set(t);
                }
            }, "fault-publisher");
            publishing.setDaemon(true);
            publishing.start();
            closer.later(() -> {
                stopAt.set(0);
                publishing.join(30_000);
            });
            await(WAIT, () -> "the publisher got " + BEFORE_KILL + " acks (" + publisherFailed.get() + ")",
                    () -> acked.get() >= BEFORE_KILL || publisherFailed.get() != null);

            // SIGKILL: the kernel closes A's sockets; A tells Redis nothing.
            assertThat(a.kill()).as("exit status of a process killed by SIGKILL").isEqualTo(137);
            long killed = System.nanoTime();

            // Presence. A node refreshes its members every TTL/3, each time with a deadline of the TTL in
            // Redis' clock (a sorted set of deadlines); a dead node refreshes nothing. So, exactly: every
            // deadline of A's members is at most the TTL after the kill (both in Redis' clock), and a
            // presence read once Redis' clock passed the last of them lists none of A's members.
            long killedAtRedis = redisMillis(redis);
            Map<String, Long> deadlines = presenceDeadlines(redis, channel);
            assertThat(deadlines.keySet()).containsAll(onA);
            long lastDeadline = onA.stream().mapToLong(deadlines::get).max().orElseThrow();
            assertThat(lastDeadline - killedAtRedis).as("ms from the kill to the last deadline of A's members")
                    .isLessThanOrEqualTo(PRESENCE_TTL.toMillis());
            // B lists a node as alive while it reported within 3 heartbeats, as of B's own last heartbeat.
            long nodeGone = -1;
            long deadline = killed + PRESENCE_TTL.plusSeconds(10).toNanos();
            while ((nodeGone < 0 || redisMillis(redis) <= lastDeadline) && System.nanoTime() < deadline) {
                if (nodeGone < 0 && otherNodes(b).stream().noneMatch(n -> n.id().equals(nodeA) && n.alive())) {
                    nodeGone = System.nanoTime() - killed;
                }
                Thread.sleep(20);
            }
            assertThat(redisMillis(redis)).as("Redis' clock passed the last deadline").isGreaterThan(lastDeadline);
            Set<String> presenceAfter = presenceIds(b, channel);
            long presenceGone = System.nanoTime() - killed;
            assertThat(presenceAfter).as("presence once the deadlines passed").doesNotContainAnyElementsOf(onA);
            System.out.printf("NodeKilledTest: last deadline of A's presence members %d ms after the kill (Redis' clock), "
                            + "seen gone %d ms after the kill; A listed as gone after %d ms%n", lastDeadline - killedAtRedis,
                    TimeUnit.NANOSECONDS.toMillis(presenceGone), TimeUnit.NANOSECONDS.toMillis(nodeGone));
            assertThat(nodeGone).as("B listed A as gone").isPositive();
            assertThat(Duration.ofNanos(nodeGone)).as("A listed as gone within 3 heartbeats + B's heartbeat (+1 s)")
                    .isLessThanOrEqualTo(HEARTBEAT.multipliedBy(4).plusSeconds(1));

            // Every subscriber resumed on B; then the publisher goes on for AFTER_RESUME more.
            await(WAIT, () -> "subscribers resumed on B: " + subscribers.stream().filter(s -> s.recoveries().size() == 1).count()
                    + ", problems: " + subscribers.stream().flatMap(s -> s.problems().stream()).limit(5).toList(),
                    () -> subscribers.stream().allMatch(s -> s.recoveries().size() == 1));
            stopAt.set(acked.get() + AFTER_RESUME);
            publishing.join(WAIT.toMillis());
            assertThat(publishing.isAlive()).as("the publisher finished").isFalse();
            assertThat(publisherFailed.get()).as("every publication acknowledged").isNull();
            int total = (int) acked.get();
            assertThat(total).isGreaterThanOrEqualTo(BEFORE_KILL + AFTER_RESUME);
            long[] expected = LongStream.rangeClosed(1, total).toArray();
            synchronized (ackOffsets) {
                assertThat(ackOffsets).as("acks: one offset each, in order").containsExactlyElementsOf(
                        LongStream.rangeClosed(1, total).boxed().toList());
            }
            String finalEpoch = epoch;
            await(WAIT, () -> "every subscriber at offset " + total + ": "
                            + subscribers.stream().filter(s -> s.position() < total).count() + " behind",
                    () -> subscribers.stream().allMatch(s -> s.position() >= total));

            // Presence now: exactly the subscribers' connections on B.
            Set<String> onB = new HashSet<>();
            subscribers.forEach(s -> onB.add(s.clientIds().get(1)));
            assertThat(presenceIds(b, channel)).isEqualTo(onB);
            for (WireClient s : subscribers) {
                assertThat(s.problems()).isEmpty();
                assertThat(s.refusals()).isEmpty();
                assertThat(s.epochs()).containsExactly(finalEpoch);
                assertThat(s.offsets(finalEpoch)).as("every publication once, in order").containsExactly(expected);
                assertThat(s.recoveries()).containsExactly(true);
                assertThat(s.disconnects()).isEmpty();
                assertThat(s.closes()).as("one close: the kill").hasSize(1);
                assertThat(s.clientIds()).hasSize(2);
                assertThat(s.uri()).isEqualTo(toB);
            }
            System.out.printf("NodeKilledTest: %d subscribers, %d publications (%d before the kill), each received exactly once%n",
                    SUBSCRIBERS, total, BEFORE_KILL);
        }
    }

    private static Set<String> presenceIds(ClusterNode node, String channel) {
        try {
            Set<String> ids = new HashSet<>();
            for (ClientInfo c : node.broker().presence(channel).get(10, TimeUnit.SECONDS)) {
                ids.add(c.client());
            }
            return ids;
        } catch (Exception e) {
            throw new AssertionError("presence of " + channel + " failed", e);
        }
    }

    private static int intProperty(String name, int fallback) {
        String v = System.getProperty(name);
        return v == null || v.isBlank() ? fallback : Integer.parseInt(v.strip());
    }

    /** Redis' clock, in ms (TIME). */
    private static long redisMillis(RedisProcess redis) {
        try {
            String[] time = redis.command("TIME").split("\n");
            return Long.parseLong(time[0]) * 1000 + Long.parseLong(time[1]) / 1000;
        } catch (IOException e) {
            throw new AssertionError("TIME failed", e);
        }
    }

    /** The deadlines of a channel's presence members (the broker's sorted set PREFIX:{CHANNEL}:pe, in Redis' ms). */
    private static Map<String, Long> presenceDeadlines(RedisProcess redis, String channel) throws IOException {
        String[] flat = redis.command("ZRANGE", "duplex:{" + channel + "}:pe", "0", "-1", "WITHSCORES").split("\n");
        Map<String, Long> out = new HashMap<>();
        for (int i = 0; i + 1 < flat.length; i += 2) {
            out.put(flat[i], (long) Double.parseDouble(flat[i + 1]));
        }
        return out;
    }

    private static List<NodeStatus> otherNodes(ClusterNode node) {
        try {
            return node.broker().nodes().get(10, TimeUnit.SECONDS).stream().filter(n -> !n.self()).toList();
        } catch (Exception e) {
            throw new AssertionError("nodes() failed", e);
        }
    }
}

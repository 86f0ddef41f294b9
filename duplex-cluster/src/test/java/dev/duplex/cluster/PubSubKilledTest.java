package dev.duplex.cluster;

import static dev.duplex.cluster.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.duplex.hub.protocol.Command;
import dev.duplex.hub.protocol.ServerMessage;
import dev.duplex.testkit.RedisProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Redis kills every pub/sub connection ({@code CLIENT KILL TYPE pubsub}) again and again while a
 * publisher keeps publications in flight. Pub/sub loses what was sent while a node was not
 * subscribed; the nodes must notice and fill it from the stream, so every subscriber on both nodes
 * ends with every publication exactly once, in order, without being disconnected.
 */
class PubSubKilledTest {
    static final int PER_NODE = 25;
    /** Publications at least, and at most. */
    static final int PUBLICATIONS = 1_000;
    static final int MAX_PUBLICATIONS = 20_000;
    /** Kills, each once the nodes subscribed again and at least KILL_EVERY more publications were answered. */
    static final int KILLS = 10;
    static final int KILL_EVERY = 50;
    /** Publications the publisher keeps unacknowledged at once. */
    static final int IN_FLIGHT = 16;
    static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void killingThePubSubConnectionsWhilePublishingLosesNothingAndRepeatsNothing() throws Exception {
        String channel = "room-" + UUID.randomUUID().toString().substring(0, 8);
        try (Closer closer = new Closer()) {
            RedisProcess redis = closer.push(RedisProcess.start());
            ClusterFixture cluster = closer.push(ClusterFixture.forFaults(redis.uri(), 2));
            ClusterNode a = cluster.node(0);
            ClusterNode b = cluster.node(1);

            // A closed connection would be a failure here: nowhere to resume to.
            List<WireClient> subscribers = cluster.subscribers(channel, 2 * PER_NODE, null, s -> assertThat(s.offset()).isZero());
            String epoch = subscribers.get(0).epoch();
            WireClient publisher = cluster.commands(b);

            // The killer: each time every pub/sub connection is back, it kills them all again.
            int baseline = pubSubClients(redis);
            assertThat(baseline).as("pub/sub connections of two nodes").isGreaterThanOrEqualTo(2);
            List<Long> killed = new CopyOnWriteArrayList<>();
            AtomicReference<Throwable> killerFailed = new AtomicReference<>();
            AtomicInteger acked = new AtomicInteger();
            Thread killer = new Thread(() -> {
                try {
                    await(WAIT, () -> "publications flowing", () -> acked.get() >= KILL_EVERY);
                    for (int k = 0; k < KILLS; k++) {
                        await(WAIT, () -> "the nodes subscribed again", () -> pubSubClients(redis) >= baseline);
                        killed.add(Long.parseLong(redis.command("CLIENT", "KILL", "TYPE", "pubsub")));
                        int at = acked.get();
                        await(WAIT, () -> "publications flowing", () -> acked.get() >= at + KILL_EVERY);
                    }
                } catch (Throwable t) {
                    killerFailed.set(t);
                }
            }, "fault-killer");
            killer.setDaemon(true);
            killer.start();
            closer.later(() -> killer.join(WAIT.toMillis()));

            // The publisher keeps IN_FLIGHT publications on their way until the killer is done.
            Map<Integer, ServerMessage> replies = new ConcurrentHashMap<>();
            Semaphore window = new Semaphore(IN_FLIGHT);
            List<CompletableFuture<ServerMessage>> sent = new ArrayList<>();
            int total = 0;
            long deadline = System.nanoTime() + WAIT.multipliedBy(2).toNanos();
            while (total < MAX_PUBLICATIONS && (killer.isAlive() || total < PUBLICATIONS) && System.nanoTime() < deadline) {
                assertThat(window.tryAcquire(20, TimeUnit.SECONDS)).as("an answer within 20 s").isTrue();
                int i = ++total;
                CompletableFuture<ServerMessage> reply = publisher.request(id -> new Command.Publish(id, channel,
                        JsonNodeFactory.instance.numberNode(i), "pubsub-" + i, null));
                reply.whenComplete((r, failure) -> {
                    if (r != null) {
                        replies.put(i, r);
                    }
                    acked.incrementAndGet();
                    window.release();
                });
                sent.add(reply);
            }
            CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            killer.join(WAIT.toMillis());
            assertThat(killerFailed.get()).isNull();
            assertThat(killer.isAlive()).isFalse();
            int publications = total;

            // Every pub/sub connection of both nodes was killed each time.
            assertThat(killed).hasSize(KILLS).containsOnly((long) baseline);
            TreeSet<Long> offsets = new TreeSet<>();
            for (int i = 1; i <= publications; i++) {
                ServerMessage r = replies.get(i);
                assertThat(r).as("publication " + i).isInstanceOf(ServerMessage.Ack.class);
                ServerMessage.Ack ack = (ServerMessage.Ack) r;
                assertThat(ack.epoch()).isEqualTo(epoch);
                assertThat(ack.duplicate()).isFalse();
                offsets.add(ack.offset());
            }
            assertThat(offsets).containsExactlyElementsOf(LongStream.rangeClosed(1, publications).boxed().toList());

            await(WAIT, () -> "every subscriber at offset " + publications + ": "
                            + subscribers.stream().map(WireClient::position).toList(),
                    () -> subscribers.stream().allMatch(s -> s.position() >= publications));
            for (WireClient s : subscribers) {
                assertThat(s.problems()).isEmpty();
                assertThat(s.refusals()).isEmpty();
                assertThat(s.epochs()).containsExactly(epoch);
                assertThat(s.offsets(epoch)).as("every publication once, in order").containsExactly(LongStream.rangeClosed(1, publications).toArray());
                assertThat(s.disconnects()).isEmpty();
                assertThat(s.closes()).isEmpty();
            }
            assertThat(a.broker().gaps()).isZero();
            assertThat(b.broker().gaps()).isZero();
            System.out.printf("PubSubKilledTest: %d kills (pub/sub connections killed each time: %s), %d publications, "
                    + "%d subscribers each received all exactly once%n", killed.size(), killed, publications, subscribers.size());
        }
    }

    /** The pub/sub connections Redis has now. */
    private static int pubSubClients(RedisProcess redis) {
        try {
            return (int) redis.command("CLIENT", "LIST", "TYPE", "pubsub").lines().filter(l -> !l.isBlank()).count();
        } catch (java.io.IOException e) {
            throw new AssertionError("CLIENT LIST failed", e);
        }
    }
}

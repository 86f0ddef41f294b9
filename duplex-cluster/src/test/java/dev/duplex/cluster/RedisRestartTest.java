package dev.duplex.cluster;

import static dev.duplex.cluster.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.duplex.hub.protocol.DisconnectCode;
import dev.duplex.hub.protocol.ServerMessage;
import dev.duplex.testkit.RedisProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Redis restarts empty (SIGKILL and a fresh redis-server on the same port, no persistence) under a
 * two-node cluster. Every channel's stream is gone, so its epoch changes: subscribers connected
 * through it are told (3009) and learn {@code recovered: false} when they resume, and so does a
 * client that was offline during the restart and resumes afterwards. Publications after the restart
 * flow again, in the new epoch from offset 1, to everyone. A resume the hub refuses because its
 * broker is not reachable yet (error 116) is retried by the client as the protocol says.
 */
class RedisRestartTest {
    static final int PER_NODE = 20;
    static final int PUBLICATIONS = 50;
    static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aRedisRestartedEmptyIsANewEpochEveryResumingClientLearnsOf() throws Exception {
        String channel = "room-" + UUID.randomUUID().toString().substring(0, 8);
        try (Closer closer = new Closer()) {
            RedisProcess redis = closer.push(RedisProcess.start());
            ClusterFixture cluster = closer.push(ClusterFixture.forFaults(redis.uri(), 2));
            ClusterNode a = cluster.node(0);
            ClusterNode b = cluster.node(1);

            // Subscribers on both nodes that resume where they were; one on each that goes offline.
            List<WireClient> online = cluster.subscribers(channel, 2 * PER_NODE, WireClient::uri, s -> { });
            List<WireClient> offline = cluster.subscribers(channel, 2, w -> null, s -> { });
            List<WireClient> all = new ArrayList<>(online);
            all.addAll(offline);
            WireClient publisher = cluster.commands(a);

            String before = null;
            for (int i = 1; i <= PUBLICATIONS; i++) {
                ServerMessage reply = publisher.publish(channel, JsonNodeFactory.instance.numberNode(i), "before-" + i);
                assertThat(reply).isInstanceOf(ServerMessage.Ack.class);
                ServerMessage.Ack ack = (ServerMessage.Ack) reply;
                assertThat(ack.offset()).isEqualTo(i);
                before = before == null ? ack.epoch() : before;
                assertThat(ack.epoch()).isEqualTo(before);
            }
            await(WAIT, () -> "every subscriber at offset " + PUBLICATIONS,
                    () -> all.stream().allMatch(s -> s.position() == PUBLICATIONS));
            offline.forEach(WireClient::drop);
            await(WAIT, () -> "the offline subscribers' connections closed", () -> offline.stream().allMatch(s -> s.closes().size() == 1));

            redis.restart();

            await(WAIT, () -> "every online subscriber told (3009) and resumed: "
                            + online.stream().filter(s -> s.recoveries().size() == 1).count() + " of " + online.size()
                            + ", problems " + online.stream().flatMap(s -> s.problems().stream()).limit(3).toList(),
                    () -> online.stream().allMatch(s -> s.recoveries().size() == 1));
            for (WireClient s : offline) {
                s.resumeAt(all.indexOf(s) % 2 == 0 ? a.uri() : b.uri()).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            }
            await(WAIT, () -> "the offline subscribers resumed", () -> offline.stream().allMatch(s -> s.recoveries().size() == 1));
            // A node learns of the gap on its pub/sub connection, which may be back before its command
            // connection: a resume in between is refused with the broker-unavailable reason, and the
            // client subscribes again while the hub answers 116 (PROTOCOL.md: retry after a few seconds).
            int refusals = 0;
            for (WireClient s : all) {
                for (String r : s.refusals()) {
                    assertThat(r).matches("unsubscribed: The hub's broker cannot be reached.*|subscribe: 116");
                    refusals++;
                }
            }
            String after = online.get(0).epoch();
            assertThat(after).isNotEmpty().isNotEqualTo(before);
            for (WireClient s : all) {
                assertThat(s.problems()).isEmpty();
                assertThat(s.recoveries()).as("the resume learnt recovered: false").containsExactly(false);
                assertThat(s.epochs()).containsExactly(before, after);
                assertThat(s.position()).as("the new stream is empty").isZero();
                assertThat(s.offsets(before)).containsExactly(LongStream.rangeClosed(1, PUBLICATIONS).toArray());
            }
            for (WireClient s : online) {
                assertThat(s.disconnects()).containsExactly(DisconnectCode.INSUFFICIENT_STATE.code());
                assertThat(s.closes()).containsExactly(DisconnectCode.INSUFFICIENT_STATE.code());
            }
            assertThat(a.broker().gaps()).isPositive();
            assertThat(b.broker().gaps()).isPositive();

            // Publications flow again: the new epoch from offset 1, to every subscriber once.
            for (int i = 1; i <= PUBLICATIONS; i++) {
                ServerMessage reply = publisher.publish(channel, JsonNodeFactory.instance.numberNode(i), "after-" + i);
                assertThat(reply).isInstanceOf(ServerMessage.Ack.class);
                ServerMessage.Ack ack = (ServerMessage.Ack) reply;
                assertThat(ack.epoch()).isEqualTo(after);
                assertThat(ack.offset()).isEqualTo(i);
                assertThat(ack.duplicate()).as("Redis forgot the message ids of before").isFalse();
            }
            await(WAIT, () -> "every subscriber at offset " + PUBLICATIONS + " of the new epoch",
                    () -> all.stream().allMatch(s -> s.position() == PUBLICATIONS));
            for (WireClient s : all) {
                assertThat(s.offsets(after)).containsExactly(LongStream.rangeClosed(1, PUBLICATIONS).toArray());
                assertThat(s.epochs()).containsExactly(before, after);
                assertThat(s.problems()).isEmpty();
            }
            assertThat(publisher.closes()).as("the publisher's connection stayed up").isEmpty();
            System.out.printf("RedisRestartTest: %d subscribers resumed with recovered: false in epoch %s (was %s); "
                    + "%d refusals (116) on the way; %d publications after the restart reached all%n",
                    all.size(), after, before, refusals, PUBLICATIONS);
        }
    }
}

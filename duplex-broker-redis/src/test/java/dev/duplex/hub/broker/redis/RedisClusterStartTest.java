package dev.duplex.hub.broker.redis;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.duplex.hub.broker.HistoryOptions;
import dev.duplex.hub.broker.HistoryPage;
import dev.duplex.hub.broker.PublishRequest;
import dev.duplex.hub.broker.PublishResult;
import dev.duplex.hub.protocol.Payload;
import dev.duplex.testkit.RedisClusterProcesses;
import dev.duplex.testkit.RedisProcess;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A broker just started on a Redis Cluster serves a channel on any master at once. The cluster
 * connection used to open its connection to a master only at the first command for one of its
 * slots, and that command, finding it still opening, was rejected as if Redis were unreachable: the
 * first subscribe or publish of channels on all but the master already connected failed with
 * error 116.
 */
class RedisClusterStartTest {

    @Test
    void theFirstCommandForAChannelOnEachMasterSucceeds() throws Exception {
        HistoryOptions history = new HistoryOptions(100, Duration.ofMinutes(5), Duration.ofMinutes(65));
        try (RedisClusterProcesses redis = RedisClusterProcesses.start(3)) {
            RedisBroker broker = RedisBroker.connect(redis.uri());
            try {
                // Twenty channels, whose slots fall on each of the three masters.
                for (int i = 0; i < 20; i++) {
                    String channel = "room-" + i;
                    HistoryPage page = broker.recover(channel, null, 0, history).get(10, TimeUnit.SECONDS);
                    assertThat(page.offset()).isZero();
                    PublishResult result = broker.publish(new PublishRequest("other-" + i, Payload.of(TextNode.valueOf("x")),
                            null, null, history, null, null)).get(10, TimeUnit.SECONDS);
                    assertThat(result.offset()).isEqualTo(1);
                }
                for (RedisProcess master : redis.nodes()) {
                    assertThat(master.command("KEYS", "duplex:{room-*")).as("channels on the master at port %d", master.port())
                            .isNotEmpty();
                    assertThat(master.command("KEYS", "duplex:{other-*")).as("channels on the master at port %d", master.port())
                            .isNotEmpty();
                }
            } finally {
                broker.close();
            }
        }
    }
}

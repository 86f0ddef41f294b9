package dev.duplex.hub.broker.redis;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.duplex.hub.Hub;
import dev.duplex.hub.HubConfig;
import dev.duplex.hub.broker.PublishResult;
import dev.duplex.hub.protocol.Publication;
import dev.duplex.testkit.RedisProcess;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The example of docs/redis-broker.md: two hubs on one Redis share a channel. */
class RedisBrokerEmbeddingTest {

    @Test
    void twoHubsOnOneRedisShareAChannel() throws Exception {
        try (RedisProcess redis = RedisProcess.start()) {
            String redisUri = redis.uri();
            RedisBroker broker = new RedisBroker(RedisBrokerOptions.builder()
                    .uri(redisUri)
                    .build());
            Hub hub = new Hub(HubConfig.defaults(), broker);
            RedisBroker otherBroker = RedisBroker.connect(redisUri);
            Hub other = new Hub(HubConfig.defaults(), otherBroker);
            try {
                List<Publication> received = new CopyOnWriteArrayList<>();
                AutoCloseable listening = other.listen("room", received::add);
                otherBroker.subscribe("room").get(10, TimeUnit.SECONDS); // the listener's subscription is in place
                PublishResult result = hub.publish("room", TextNode.valueOf("hello"), null).get(10, TimeUnit.SECONDS);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (received.isEmpty() && System.nanoTime() < deadline) {
                    Thread.sleep(10); // a bounded wait for the other node's delivery
                }
                assertThat(received).hasSize(1);
                assertThat(received.get(0).offset()).isEqualTo(result.offset());
                assertThat(received.get(0).payload().tree().asText()).isEqualTo("hello");
                listening.close();
            } finally {
                hub.close();
                other.close();
                broker.close();
                otherBroker.close();
            }
        }
    }
}

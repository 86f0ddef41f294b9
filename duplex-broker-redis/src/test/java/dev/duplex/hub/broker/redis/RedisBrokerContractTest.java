package dev.duplex.hub.broker.redis;

import dev.duplex.hub.broker.Broker;
import dev.duplex.testkit.RedisProcess;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The Redis broker keeps the broker contract, on a real redis-server. */
class RedisBrokerContractTest extends BrokerContractTest {
    static RedisProcess redis;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisProcess.start();
    }

    @AfterAll
    static void stopRedis() throws Exception {
        redis.close();
    }

    @Override
    Broker newBroker() {
        return new RedisBroker(RedisBrokerOptions.builder().uri(redis.uri()).prefix("t" + UUID.randomUUID().toString().substring(0, 8)).build());
    }
}

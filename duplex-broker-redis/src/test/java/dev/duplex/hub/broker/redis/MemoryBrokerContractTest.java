package dev.duplex.hub.broker.redis;

import dev.duplex.hub.broker.Broker;
import dev.duplex.hub.broker.MemoryBroker;

/** The in-memory broker keeps the contract the Redis broker is held to. */
class MemoryBrokerContractTest extends BrokerContractTest {
    @Override
    Broker newBroker() {
        return new MemoryBroker();
    }
}

package dev.duplex.hub.broker;

import dev.duplex.hub.protocol.ClientInfo;
import dev.duplex.hub.protocol.Publication;

/** Receives what a {@link Broker} delivers to this node. Calls for one channel arrive in order. */
public interface BrokerListener {

    void onPublication(String epoch, Publication publication);

    void onJoin(String channel, ClientInfo info);

    void onLeave(String channel, ClientInfo info);
}

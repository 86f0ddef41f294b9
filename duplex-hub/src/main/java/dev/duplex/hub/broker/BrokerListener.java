package dev.duplex.hub.broker;

import dev.duplex.hub.protocol.ClientInfo;
import dev.duplex.hub.protocol.Publication;

/** Receives what a {@link Broker} delivers to this node. Calls for one channel arrive in order. */
public interface BrokerListener {
    /** Listens to nothing: what a broker has before the hub gives it its listener. */
    BrokerListener NONE = new BrokerListener() {
        @Override
        public void onPublication(String epoch, Publication publication) {
        }

        @Override
        public void onJoin(String channel, ClientInfo info) {
        }

        @Override
        public void onLeave(String channel, ClientInfo info) {
        }
    };

    void onPublication(String epoch, Publication publication);

    void onJoin(String channel, ClientInfo info);

    void onLeave(String channel, ClientInfo info);

    /**
     * This node missed publications of {@code channel} that history cannot give back, or the
     * channel's stream restarted: a subscriber whose position is in another epoch than
     * {@code epoch}, or below {@code offset} in it, cannot continue without knowing, and must resume
     * (disconnect 3009). Publications after {@code offset} follow as usual. A single-node broker
     * never calls it.
     */
    default void onGap(String channel, String epoch, long offset) {
    }
}

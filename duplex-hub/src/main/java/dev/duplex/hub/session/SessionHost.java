package dev.duplex.hub.session;

import dev.duplex.hub.HubConfig;
import dev.duplex.hub.broker.Broker;
import dev.duplex.hub.limits.TokenBucket;
import dev.duplex.hub.metrics.HubMetrics;
import java.util.concurrent.CompletableFuture;

/** What a {@link HubSession} needs from the hub it belongs to. Implemented by {@link dev.duplex.hub.Hub}. */
public interface SessionHost {

    HubConfig config();

    Broker broker();

    HubMetrics metrics();

    long nanoTime();

    long currentTimeMillis();

    String newClientId();

    /** Counts a connection of {@code user}; false if that passes the per-user limit. */
    boolean registerUser(String user, HubSession session);

    void unregisterUser(HubSession session);

    /** The command-rate bucket shared by all of a user's connections on this node (null for anonymous). */
    TokenBucket userRateLimiter(String user);

    /** Adds the session to the channel's local subscribers, subscribing this node at the broker first if needed. */
    CompletableFuture<Void> attach(String channel, HubSession session);

    void detach(String channel, HubSession session);

    /** The session of a connection on this node, or null. */
    HubSession session(String clientId);

    /** Runs a task soon on the hub's own thread (never inline). */
    void runLater(Runnable task);

    /** Socket-buffered bytes above which a session keeps messages in its own queue. */
    long socketWatermark();

    /** The session has queued messages its socket had no room for: flush it again soon. */
    void markBlocked(HubSession session);
}

package dev.duplex.hub.broker;

import dev.duplex.hub.protocol.ClientInfo;
import dev.duplex.hub.protocol.StreamPosition;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What the hub needs from the system that carries publications between nodes and keeps history
 * and presence. The in-memory {@link MemoryBroker} serves one node; Redis and NATS implementations
 * serve a cluster. Every method may be called from any thread; futures may complete on any thread.
 *
 * <p>The contract that makes recovery exact: a channel's stream has an epoch and offsets 1, 2, 3…
 * assigned by the broker at publish time; {@link BrokerListener#onPublication} is called for a
 * channel in offset order; {@link #history} reports the stream's current top offset, and every
 * publication delivered to the listener after a {@link #subscribe} completed with an offset above
 * that top is not in the history page. The hub merges the two by offset.
 */
public interface Broker extends AutoCloseable {

    /** Where this node receives publications, joins and leaves of the channels it subscribed to. */
    void listener(BrokerListener listener);

    /**
     * Assigns the next offset, stores the publication in history (when the channel keeps any), and
     * delivers it to every node subscribed to the channel. A request with an idempotency key seen
     * within its window completes with the first publication's result and {@code duplicate = true}.
     * Fails with {@link BrokerCapacityException} when a node-wide budget is spent: never acknowledge
     * what was not stored.
     */
    CompletableFuture<PublishResult> publish(PublishRequest request);

    /** This node wants the channel's publications (idempotent; the hub calls it once per channel). */
    CompletableFuture<Void> subscribe(String channel);

    CompletableFuture<Void> unsubscribe(String channel);

    /**
     * A read: the stream's epoch and top offset, and the retained publications after {@code since}
     * (all retained ones when null), oldest first, at most {@code limit} (0 = none, only the
     * position). Never creates a stream: a channel without one reads as epoch {@code ""}, offset 0,
     * nothing retained (and not recoverable from any {@code since}).
     */
    CompletableFuture<HistoryPage> history(String channel, StreamPosition since, int limit, HistoryOptions options);

    /**
     * For a subscriber: as {@link #history}, but a channel without a stream gets one, so that the
     * epoch the subscriber is told holds from now on. A {@code since} of epoch {@code ""} and offset
     * 0 (a position read before the channel had a stream) recovers from the stream's first offset.
     * May fail with {@link BrokerCapacityException} when no stream can be made.
     */
    CompletableFuture<HistoryPage> recover(String channel, StreamPosition since, int limit, HistoryOptions options);

    /** Announces a join or leave to every node subscribed to the channel. */
    void publishJoin(String channel, ClientInfo info);

    void publishLeave(String channel, ClientInfo info);

    CompletableFuture<Void> addPresence(String channel, ClientInfo info);

    CompletableFuture<Void> removePresence(String channel, String clientId);

    CompletableFuture<List<ClientInfo>> presence(String channel);

    /**
     * The hub of this node introduces itself; a broker that connects several nodes starts reporting
     * this node to the others and applying their requests here. Called once, before any other call.
     */
    default void attach(NodeAgent node) {
    }

    /**
     * Disconnects the connections of {@code user} on every node; completes with how many were
     * disconnected on the nodes that answered. A single-node broker leaves it to the hub (null).
     */
    default CompletableFuture<Integer> disconnectUser(String user, boolean reconnect, String reason) {
        return null;
    }

    /** The nodes of the cluster, this one included; a single-node broker knows only this one (empty: ask the hub). */
    default CompletableFuture<List<NodeStatus>> nodes() {
        return CompletableFuture.completedFuture(List.of());
    }

    /** Releases connections and threads. */
    @Override
    void close();
}

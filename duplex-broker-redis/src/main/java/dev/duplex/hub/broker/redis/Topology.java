package dev.duplex.hub.broker.redis;

import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.util.List;

/**
 * Where a channel's data lives: one Redis, several (each channel on one, by consistent hashing), or
 * a Redis Cluster (each channel on the master of its hash tag's slot). Every channel has a command
 * connection and a {@link PubSubShard} on the same server. Reports pub/sub messages and
 * (re)subscriptions to one {@link Events} receiver, on Lettuce's threads.
 */
interface Topology extends AutoCloseable {
    /** What a topology reports, in the order each connection received it. */
    interface Events {
        /** A message on a sharded pub/sub channel this node subscribed to. */
        void message(PubSubShard shard, byte[] channel, byte[] message);

        /** Redis confirmed a subscription: the first one, or the one Lettuce makes again after a reconnect. */
        void subscribed(PubSubShard shard, byte[] channel);
    }

    /** The commands that reach the keys tagged {@code base} ({@link Keys#base}). */
    RedisClusterAsyncCommands<byte[], byte[]> commands(String base);

    /** The pub/sub connection to the server that holds the keys tagged {@code base}. */
    PubSubShard pubsub(String base);

    /** The pub/sub connection of every server. */
    List<PubSubShard> shards();

    @Override
    void close();
}

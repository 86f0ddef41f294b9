package dev.duplex.hub.broker.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.protocol.ConnectionIntent;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A Redis Cluster: a channel's keys share its hash tag and so a slot; scripts go to the slot's
 * master through the cluster connection. Sharded pub/sub ({@code SSUBSCRIBE}/{@code SPUBLISH})
 * keeps each channel's messages on its slot's master, so this node holds one pub/sub connection per
 * master it needs, instead of receiving every message of the cluster bus.
 *
 * <p>The slot map is read when the broker starts; a resharding or failover while nodes run is not
 * followed by the pub/sub side (restart the nodes after one).
 */
final class ClusterTopology implements Topology {
    private final RedisClusterClient cluster;
    private final RedisClient client;
    private final RedisURI seed;
    private final Events events;
    private final StatefulRedisClusterConnection<byte[], byte[]> commands;
    private final Map<String, PubSubShard> shards = new ConcurrentHashMap<>();

    ClusterTopology(RedisClusterClient cluster, RedisClient client, RedisURI seed, Events events) {
        this.cluster = cluster;
        this.client = client;
        this.seed = seed;
        this.events = events;
        this.commands = cluster.connect(ByteArrayCodec.INSTANCE);
        try {
            for (RedisClusterNode node : cluster.getPartitions()) {
                if (node.is(RedisClusterNode.NodeFlag.UPSTREAM)) {
                    // The cluster connection opens its connection to a master at the first command for
                    // one of its slots, and a command that finds it still opening is rejected (we reject
                    // commands while disconnected) as if Redis were unreachable: the first publish or
                    // subscribe of a channel on each master would fail. Open them all now, keyed as
                    // the cluster connection keys the master of a slot (write intent, host, port).
                    commands.getConnection(node.getUri().getHost(), node.getUri().getPort(), ConnectionIntent.WRITE);
                    // Every master's pub/sub connection now, so that no connect happens on the delivery thread.
                    shards.put(node.getNodeId(), connect(node));
                }
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private PubSubShard connect(RedisClusterNode node) {
        RedisURI uri = RedisURI.builder(seed).withHost(node.getUri().getHost()).withPort(node.getUri().getPort()).build();
        return new PubSubShard(client, uri, events);
    }

    @Override
    public RedisClusterAsyncCommands<byte[], byte[]> commands(String base) {
        return commands.async();
    }

    @Override
    public PubSubShard pubsub(String base) {
        RedisClusterNode master = cluster.getPartitions().getMasterBySlot(SlotHash.getSlot(Keys.bytes(base)));
        if (master == null) {
            throw new IllegalStateException("No Redis Cluster master serves the slot of " + base);
        }
        PubSubShard shard = shards.get(master.getNodeId());
        if (shard == null) {
            throw new IllegalStateException("The Redis Cluster master " + master.getUri() + " joined after this node "
                    + "started; restart the node to use it");
        }
        return shard;
    }

    @Override
    public List<PubSubShard> shards() {
        return List.copyOf(shards.values());
    }

    @Override
    public void close() {
        shards.values().forEach(PubSubShard::close);
        commands.close();
    }
}

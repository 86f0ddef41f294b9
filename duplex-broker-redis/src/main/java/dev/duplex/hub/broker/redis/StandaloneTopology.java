package dev.duplex.hub.broker.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One or more independent Redis servers: each channel lives on one of them, chosen by a consistent
 * hash of its tag (jump consistent hashing: adding a server moves about 1/N of the channels), with
 * its keys, its stream and its pub/sub channel. Every node must list the servers in the same order.
 */
final class StandaloneTopology implements Topology {
    private final List<Shard> shards = new ArrayList<>();

    StandaloneTopology(RedisClient client, List<RedisURI> uris, Events events) {
        try {
            for (RedisURI uri : uris) {
                shards.add(new Shard(client, uri, events));
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private Shard shardOf(String base) {
        return shards.size() == 1 ? shards.get(0) : shards.get(jump(hash(base), shards.size()));
    }

    @Override
    public RedisClusterAsyncCommands<byte[], byte[]> commands(String base) {
        return shardOf(base).commands.async();
    }

    @Override
    public PubSubShard pubsub(String base) {
        return shardOf(base).pubsub;
    }

    @Override
    public List<PubSubShard> shards() {
        return shards.stream().map(s -> s.pubsub).toList();
    }

    @Override
    public void close() {
        for (Shard s : shards) {
            s.close();
        }
    }

    /** 64-bit FNV-1a of the tag base: stable across processes and versions. */
    static long hash(String base) {
        long h = 0xcbf29ce484222325L;
        for (byte b : base.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }

    /** Jump consistent hash (Lamping and Veach, 2014): a bucket in [0, buckets). */
    static int jump(long key, int buckets) {
        long b = -1;
        long j = 0;
        while (j < buckets) {
            b = j;
            key = key * 2862933555777941757L + 1;
            j = (long) ((b + 1) * ((double) (1L << 31) / (double) ((key >>> 33) + 1)));
        }
        return (int) b;
    }

    /** One Redis: a connection for commands and one for sharded pub/sub. */
    private static final class Shard {
        final StatefulRedisConnection<byte[], byte[]> commands;
        final PubSubShard pubsub;

        Shard(RedisClient client, RedisURI uri, Events events) {
            commands = client.connect(ByteArrayCodec.INSTANCE, uri);
            try {
                pubsub = new PubSubShard(client, uri, events);
            } catch (RuntimeException e) {
                commands.close();
                throw e;
            }
        }

        void close() {
            commands.close();
            if (pubsub != null) {
                pubsub.close();
            }
        }
    }
}

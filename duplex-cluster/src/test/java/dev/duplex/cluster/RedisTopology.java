package dev.duplex.cluster;

import dev.duplex.testkit.RedisClusterProcesses;
import dev.duplex.testkit.RedisProcess;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The three ways nodes can share Redis (docs/redis-broker.md, "Where things live"), each made of
 * real {@code redis-server} child processes on loopback ports.
 */
enum RedisTopology {
    /** One standalone Redis: every channel on it. */
    STANDALONE,
    /** Two standalone Redis servers: each channel on one of them by a consistent hash of its name. */
    TWO_SHARDS,
    /** A Redis Cluster of three masters: each channel on the master of its slot. */
    CLUSTER_OF_THREE;

    /** Starts the Redis servers of this topology; close the result to stop them all. */
    Running start() throws IOException, InterruptedException {
        switch (this) {
            case STANDALONE -> {
                RedisProcess redis = RedisProcess.start();
                return new Running(List.of(redis.uri()), List.of(redis), redis);
            }
            case TWO_SHARDS -> {
                RedisProcess first = RedisProcess.start();
                RedisProcess second;
                try {
                    second = RedisProcess.start();
                } catch (IOException | RuntimeException e) {
                    first.close();
                    throw e;
                }
                AutoCloseable both = () -> {
                    try {
                        first.close();
                    } finally {
                        second.close();
                    }
                };
                return new Running(List.of(first.uri(), second.uri()), List.of(first, second), both);
            }
            case CLUSTER_OF_THREE -> {
                RedisClusterProcesses cluster = RedisClusterProcesses.start(3);
                return new Running(List.of(cluster.uri()), cluster.nodes(), cluster);
            }
            default -> throw new AssertionError(this);
        }
    }

    /**
     * Running Redis servers.
     *
     * @param uris what every node is given, in this order
     * @param servers every server that holds channels (each shard, each master)
     */
    record Running(List<String> uris, List<RedisProcess> servers, AutoCloseable stop) implements AutoCloseable {
        Running {
            uris = List.copyOf(uris);
            servers = List.copyOf(servers);
        }

        /** The channels (of those given) whose keys under {@code prefix} are on each server, in server order. */
        List<List<String>> channelsPerServer(String prefix, List<String> channels) throws IOException {
            List<List<String>> out = new ArrayList<>();
            for (RedisProcess server : servers) {
                String keys = server.command("KEYS", prefix + ":*");
                List<String> here = new ArrayList<>();
                for (String channel : channels) {
                    if (keys.contains(prefix + ":{" + channel + "}:")) {
                        here.add(channel);
                    }
                }
                out.add(here);
            }
            return out;
        }

        @Override
        public void close() throws Exception {
            stop.close();
        }
    }
}

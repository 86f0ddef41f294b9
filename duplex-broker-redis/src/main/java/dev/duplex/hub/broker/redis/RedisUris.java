package dev.duplex.hub.broker.redis;

import io.lettuce.core.RedisURI;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the broker's URIs: {@code redis://} and {@code rediss://} (TLS) servers, or
 * {@code redis-cluster://} and {@code rediss-cluster://} seeds of a Redis Cluster, never both kinds.
 * A password and a database may be part of the URI; a cluster has only database 0.
 */
final class RedisUris {
    private RedisUris() {
    }

    /** The servers (or seeds) the URIs name, and whether they form a cluster. */
    record Parsed(List<RedisURI> uris, boolean cluster) {
    }

    static Parsed parse(List<String> values) {
        List<RedisURI> uris = new ArrayList<>();
        Boolean cluster = null;
        for (String value : values) {
            String text = value.strip();
            boolean isCluster = text.startsWith("redis-cluster://") || text.startsWith("rediss-cluster://");
            if (!isCluster && !text.startsWith("redis://") && !text.startsWith("rediss://")) {
                throw new IllegalArgumentException("Not a Redis URI: '" + redacted(text) + "'; use redis://HOST:PORT, "
                        + "rediss://HOST:PORT (TLS) or redis-cluster://HOST:PORT (a Redis Cluster seed)");
            }
            if (cluster != null && cluster != isCluster) {
                throw new IllegalArgumentException("Redis Cluster seeds (redis-cluster://) and standalone servers "
                        + "(redis://) cannot be mixed: " + redacted(String.join(", ", values)));
            }
            cluster = isCluster;
            RedisURI uri;
            try {
                uri = RedisURI.create(isCluster ? text.replaceFirst("-cluster://", "://") : text);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("Cannot read the Redis URI '" + redacted(text) + "': " + e.getMessage(), e);
            }
            if (uri.getHost() == null || uri.getHost().isEmpty()) {
                throw new IllegalArgumentException("The Redis URI '" + redacted(text) + "' names no host");
            }
            if (isCluster && uri.getDatabase() != 0) {
                throw new IllegalArgumentException("A Redis Cluster has only database 0: '" + redacted(text) + "'");
            }
            uris.add(uri);
        }
        if (uris.isEmpty()) {
            throw new IllegalArgumentException("No Redis URI given");
        }
        if (!cluster) {
            List<String> seen = new ArrayList<>();
            for (RedisURI uri : uris) {
                String where = uri.getHost() + ":" + uri.getPort() + "/" + uri.getDatabase();
                if (seen.contains(where)) {
                    throw new IllegalArgumentException("The Redis server " + where + " is named twice; each shard is a server of its own");
                }
                seen.add(where);
            }
        }
        return new Parsed(List.copyOf(uris), cluster);
    }

    /** A URI as it may be shown: without its password. */
    static String redacted(String uri) {
        return uri.replaceAll("(://)[^@/]*@", "$1***@");
    }
}

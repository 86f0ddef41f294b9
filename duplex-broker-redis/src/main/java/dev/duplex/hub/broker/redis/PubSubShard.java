package dev.duplex.hub.broker.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.pubsub.api.async.RedisPubSubAsyncCommands;
import java.util.concurrent.CompletableFuture;

/**
 * One Redis server's pub/sub connection. It speaks RESP3, so commands run on it between the
 * messages it receives: a script that reads a channel's top offset over this connection answers
 * after every message published before it and before every message published after it. That is
 * what makes a node's position in a channel exact ({@link Feeds}). Lettuce subscribes every channel
 * again after a reconnect and reports each confirmation to {@link Topology.Events#subscribed}.
 */
final class PubSubShard implements AutoCloseable {
    private final String name;
    private final StatefulRedisPubSubConnection<byte[], byte[]> connection;

    PubSubShard(RedisClient client, RedisURI uri, Topology.Events events) {
        this.name = uri.getHost() + ":" + uri.getPort();
        this.connection = client.connectPubSub(ByteArrayCodec.INSTANCE, uri);
        connection.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void smessage(byte[] channel, byte[] message) {
                events.message(PubSubShard.this, channel, message);
            }

            @Override
            public void ssubscribed(byte[] channel, long count) {
                events.subscribed(PubSubShard.this, channel);
            }
        });
    }

    CompletableFuture<Void> subscribe(byte[] channel) {
        return connection.async().ssubscribe(channel).toCompletableFuture();
    }

    CompletableFuture<Void> unsubscribe(byte[] channel) {
        return connection.async().sunsubscribe(channel).toCompletableFuture();
    }

    /** Commands in line with this connection's messages. */
    RedisPubSubAsyncCommands<byte[], byte[]> commands() {
        return connection.async();
    }

    boolean isOpen() {
        return connection.isOpen();
    }

    @Override
    public void close() {
        connection.close();
    }

    @Override
    public String toString() {
        return name;
    }
}

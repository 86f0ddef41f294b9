package dev.duplex.hub.broker.redis;

import dev.duplex.hub.broker.BrokerCapacityException;
import dev.duplex.hub.broker.BrokerUnavailableException;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import java.io.IOException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** What a Redis failure means to the hub: a full Redis, an unreachable one, or a defect. */
final class Failures {
    private Failures() {
    }

    static Throwable map(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof BrokerCapacityException || t instanceof BrokerUnavailableException) {
            return t;
        }
        if (t instanceof RedisCommandExecutionException e && e.getMessage() != null && e.getMessage().startsWith("OOM")) {
            return new BrokerCapacityException("redis_memory", "Redis is out of memory (its maxmemory): nothing was "
                    + "stored; try again once older history expired, or give Redis more memory");
        }
        // A command in flight when the connection breaks fails with the socket's own error (a reset, a closed
        // channel) rather than a Lettuce exception: Redis is just as unreachable.
        if (t instanceof RedisCommandTimeoutException || t instanceof RedisConnectionException || t instanceof CancellationException
                || t instanceof IOException
                || (t instanceof RedisException && !(t instanceof RedisCommandExecutionException))) {
            return new BrokerUnavailableException("Redis is unreachable or did not answer in time: " + t.getMessage(), t);
        }
        return t;
    }
}

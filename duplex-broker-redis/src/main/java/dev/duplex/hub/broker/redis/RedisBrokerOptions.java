package dev.duplex.hub.broker.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How a {@link RedisBroker} reaches Redis and how quickly it notices what changed. Every node of a
 * cluster must use the same URIs (in the same order, when there are several) and prefix.
 *
 * <ul>
 * <li>{@code uris}: one {@code redis://} or {@code rediss://} URI (with a password
 *     {@code redis://:secret@host:6379} and a database {@code redis://host:6379/2}), several to spread
 *     channels over independent servers by consistent hashing, or {@code redis-cluster://} /
 *     {@code rediss-cluster://} URIs naming seed nodes of a Redis Cluster.</li>
 * <li>{@code prefix}: the start of every key and channel name (default {@code duplex}), so that
 *     several clusters can share one Redis.</li>
 * <li>{@code presenceTtl}: how long a member stays in a channel's presence after its node last
 *     refreshed it (default 15 s; nodes refresh every third of it). The members of a node that died
 *     disappear within this time.</li>
 * <li>{@code heartbeat}: how often a node reports itself (default 2 s); a node silent for three
 *     heartbeats is listed as gone, and forgotten after {@code forgetNodesAfter} (default 10 min).</li>
 * <li>{@code checkInterval}: how often a channel that went quiet has its top offset compared with
 *     what this node delivered (default 5 s): the check for publications lost without a reconnect.</li>
 * <li>{@code commandTimeout}: how long a command may wait for Redis before it fails (default 5 s).</li>
 * </ul>
 */
public record RedisBrokerOptions(List<String> uris, String prefix, Duration presenceTtl, Duration heartbeat,
                                 Duration forgetNodesAfter, Duration checkInterval, Duration commandTimeout) {
    public static final String DEFAULT_PREFIX = "duplex";

    public RedisBrokerOptions {
        uris = List.copyOf(Objects.requireNonNull(uris, "uris"));
        if (uris.isEmpty()) {
            throw new IllegalArgumentException("A Redis broker needs at least one URI, e.g. redis://127.0.0.1:6379");
        }
        Objects.requireNonNull(prefix, "prefix");
        if (prefix.isEmpty() || prefix.length() > 64 || !prefix.matches("[A-Za-z0-9_.-]+")) {
            throw new IllegalArgumentException("The key prefix must be 1-64 letters, digits, '_', '.' or '-': '" + prefix + "'");
        }
        positive(presenceTtl, "presenceTtl", Duration.ofSeconds(1));
        positive(heartbeat, "heartbeat", Duration.ofMillis(100));
        positive(forgetNodesAfter, "forgetNodesAfter", heartbeat.multipliedBy(3));
        positive(checkInterval, "checkInterval", Duration.ofMillis(100));
        positive(commandTimeout, "commandTimeout", Duration.ofMillis(100));
    }

    /** Defaults for these URIs. */
    public static RedisBrokerOptions of(String... uris) {
        return builder().uris(List.of(uris)).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    private static void positive(Duration value, String name, Duration least) {
        Objects.requireNonNull(value, name);
        if (value.compareTo(least) < 0) {
            throw new IllegalArgumentException(name + " must be at least " + least + ": " + value);
        }
    }

    /** Builds options; everything but the URIs has a default. */
    public static final class Builder {
        private final List<String> uris = new ArrayList<>();
        private String prefix = DEFAULT_PREFIX;
        private Duration presenceTtl = Duration.ofSeconds(15);
        private Duration heartbeat = Duration.ofSeconds(2);
        private Duration forgetNodesAfter = Duration.ofMinutes(10);
        private Duration checkInterval = Duration.ofSeconds(5);
        private Duration commandTimeout = Duration.ofSeconds(5);

        private Builder() {
        }

        public Builder uri(String uri) {
            uris.add(uri);
            return this;
        }

        public Builder uris(List<String> values) {
            uris.addAll(values);
            return this;
        }

        public Builder prefix(String value) {
            prefix = value;
            return this;
        }

        public Builder presenceTtl(Duration value) {
            presenceTtl = value;
            return this;
        }

        public Builder heartbeat(Duration value) {
            heartbeat = value;
            return this;
        }

        public Builder forgetNodesAfter(Duration value) {
            forgetNodesAfter = value;
            return this;
        }

        public Builder checkInterval(Duration value) {
            checkInterval = value;
            return this;
        }

        public Builder commandTimeout(Duration value) {
            commandTimeout = value;
            return this;
        }

        public RedisBrokerOptions build() {
            return new RedisBrokerOptions(uris, prefix, presenceTtl, heartbeat, forgetNodesAfter, checkInterval, commandTimeout);
        }
    }
}

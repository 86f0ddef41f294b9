package dev.duplex.hub.session;

import dev.duplex.hub.HubConfig;
import dev.duplex.hub.limits.TokenBucket;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The users connected to this node: how many connections each has (for
 * {@link HubConfig#maxConnectionsPerUser()}) and the command-rate bucket all of a user's
 * connections share. Anonymous connections (user "") are not counted. Thread-safe.
 */
public final class UserRegistry {
    private final HubConfig config;
    private final HubClock clock;
    private final Map<String, UserSlot> users = new ConcurrentHashMap<>();

    public UserRegistry(HubConfig config, HubClock clock) {
        this.config = config;
        this.clock = clock;
    }

    /** Counts a connection of {@code user}; false if that passes the per-user limit. */
    public boolean register(String user) {
        if (user.isEmpty()) {
            return true;
        }
        int limit = config.maxConnectionsPerUser();
        boolean[] admitted = {false};
        users.compute(user, (u, slot) -> {
            UserSlot s = slot == null ? new UserSlot(new TokenBucket(config.userCommandsPerSecond(),
                    config.userCommandBurst(), clock.nanoTime())) : slot;
            if (limit == 0 || s.count < limit) {
                s.count++;
                admitted[0] = true;
            }
            return s.count == 0 ? null : s;
        });
        return admitted[0];
    }

    /** Gives back a connection counted by {@link #register}. */
    public void unregister(String user) {
        if (!user.isEmpty()) {
            users.computeIfPresent(user, (u, slot) -> --slot.count <= 0 ? null : slot);
        }
    }

    /** The command-rate bucket shared by all of a user's connections on this node (null for anonymous). */
    public TokenBucket rateLimiter(String user) {
        if (user.isEmpty()) {
            return null;
        }
        UserSlot slot = users.get(user);
        return slot == null ? null : slot.rate;
    }

    /** A user's connection count (changed only inside the map's compute) and shared command-rate bucket. */
    private static final class UserSlot {
        final TokenBucket rate;
        int count;

        UserSlot(TokenBucket rate) {
            this.rate = rate;
        }
    }
}

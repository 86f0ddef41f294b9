package dev.duplex.client;

import dev.duplex.hub.protocol.Command;
import dev.duplex.hub.protocol.ServerMessage;
import java.time.Clock;

/**
 * Keeps an open connection alive (PROTOCOL.md, "Heartbeats" and "Tokens"): a {@code ping} every
 * heartbeat interval the hub gave, each expecting its {@code pong} within one interval (otherwise
 * the connection is dead and aborted); and, with a token provider, a {@code refresh} with a fresh
 * token before the current one expires. Not thread safe: the client's loop owns it.
 */
final class KeepAlive {
    private static final System.Logger LOG = System.getLogger(DuplexClient.class.getName());
    /** A refused or failed refresh is tried again this much later (the token is still valid meanwhile). */
    private static final long REFRESH_RETRY_MILLIS = 5_000;

    private final Loop loop;
    private final TokenFetcher tokens;
    private final TokenProvider provider;
    private final long refreshMarginMillis;
    private final Clock clock;

    /** @param provider the connection token provider, or null (a fixed token cannot be refreshed) */
    KeepAlive(Loop loop, TokenFetcher tokens, TokenProvider provider, long refreshMarginMillis, Clock clock) {
        this.loop = loop;
        this.tokens = tokens;
        this.provider = provider;
        this.refreshMarginMillis = refreshMarginMillis;
        this.clock = clock;
    }

    /** {@code connected} arrived on {@code c}: start its heartbeat and schedule its first refresh. */
    void start(Connection c, long heartbeatMillis, Long expires) {
        if (heartbeatMillis > 0) {
            c.heartbeat = loop.schedule(heartbeatMillis, () -> ping(c, heartbeatMillis));
        }
        scheduleRefresh(c, expires);
    }

    /**
     * Sends a ping and, one interval later, the next one, unless the pong has not come: then the
     * connection is dead. The interval is timed from when the ping left to when what arrived was
     * handed over, both on the connection's own event loop ({@link Connection#afterCatchingUp}): a
     * pong already read when the interval ends counts, even if the client's loop got the CPU first.
     */
    private void ping(Connection c, long intervalMillis) {
        if (!c.isOpen()) {
            return;
        }
        boolean[] answered = {false};
        // A pong, or even an error: an answer all the same, the connection is alive.
        c.request(Command.Ping::new, reply -> answered[0] = true, 0);
        c.afterCatchingUp(() -> {
            if (!c.isOpen()) {
                return;
            }
            c.heartbeat = loop.schedule(intervalMillis, () -> c.afterCatchingUp(() -> {
                if (!c.isOpen()) {
                    return;
                }
                if (answered[0]) {
                    ping(c, intervalMillis);
                } else {
                    c.abort("no pong within the heartbeat interval (" + intervalMillis + " ms): the connection is dead");
                }
            }));
        });
    }

    /** Refreshes ahead of {@code expires} by the margin, but at most half the remaining lifetime (short tokens must not refresh in a loop). */
    private void scheduleRefresh(Connection c, Long expires) {
        Loop.cancel(c.refresh);
        c.refresh = null;
        if (expires == null || provider == null) {
            return;
        }
        long remaining = expires - clock.millis();
        long lead = Math.min(refreshMarginMillis, Math.max(0, remaining / 2));
        c.refresh = loop.schedule(Math.max(0, remaining - lead), () -> refresh(c));
    }

    private void refresh(Connection c) {
        if (!c.isOpen()) {
            return;
        }
        tokens.fetch(provider::token, token -> {
            if (!c.isOpen()) {
                return;
            }
            if (token == null || token.isEmpty()) {
                retryRefresh(c, "the token provider returned no token");
                return;
            }
            c.request(id -> new Command.Refresh(id, token), reply -> {
                if (reply instanceof ServerMessage.Refreshed refreshed) {
                    scheduleRefresh(c, refreshed.expires());
                } else if (reply instanceof ServerMessage.Error error) {
                    retryRefresh(c, "the hub refused it: " + error.code() + " " + error.message());
                }
            }, 0);
        }, error -> {
            if (c.isOpen()) {
                retryRefresh(c, Errors.describe(error));
            }
        });
    }

    private void retryRefresh(Connection c, String why) {
        LOG.log(System.Logger.Level.DEBUG, "Token refresh failed ({0}), retrying", why);
        c.refresh = loop.schedule(REFRESH_RETRY_MILLIS, () -> refresh(c));
    }
}

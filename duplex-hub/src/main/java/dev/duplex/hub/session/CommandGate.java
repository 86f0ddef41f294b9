package dev.duplex.hub.session;

import dev.duplex.hub.HubConfig;
import dev.duplex.hub.limits.TokenBucket;
import dev.duplex.hub.protocol.ErrorCode;

/**
 * The command rate limits of one session (its own bucket and, once connected, its user's) and the
 * counts of refused and bad commands in a row that end a connection. Every message costs a token,
 * well-formed or not: bad messages must not bypass the limit. Confined to the session's owner.
 */
final class CommandGate {
    private final HubConfig config;
    private final TokenBucket commandRate;
    private TokenBucket userRate;
    private int throttledInARow;
    private int badInARow;

    CommandGate(HubConfig config, long nowNanos) {
        this.config = config;
        this.commandRate = new TokenBucket(config.commandsPerSecond(), config.commandBurst(), nowNanos);
    }

    /** The bucket shared by all of the user's connections, once the session knows its user. */
    void userRate(TokenBucket bucket) {
        this.userRate = bucket;
    }

    /** Takes a token for one message; false if the connection or its user is over its rate. */
    boolean admit(long nowNanos) {
        return commandRate.tryAcquire(nowNanos) && (userRate == null || userRate.tryAcquire(nowNanos));
    }

    /** A command went through the rate limit. */
    void admitted() {
        throttledInARow = 0;
    }

    /** A command was refused for its rate; true when the client kept going past the burst (disconnect). */
    boolean throttled() {
        return ++throttledInARow > config.commandBurst();
    }

    /** Milliseconds until the connection may send again, for the disconnect's retry hint. */
    long millisUntilAvailable(long nowNanos) {
        return commandRate.millisUntilAvailable(nowNanos);
    }

    /** A command failed; true when the client sent too many bad ones in a row (disconnect 3501). */
    boolean bad(ErrorCode code) {
        if (code == ErrorCode.BAD_REQUEST || code == ErrorCode.UNKNOWN_COMMAND) {
            badInARow++;
        }
        return badInARow >= config.maxBadCommands();
    }

    /** A well-formed command after connect: the run of bad ones is over. */
    void good() {
        badInARow = 0;
    }
}

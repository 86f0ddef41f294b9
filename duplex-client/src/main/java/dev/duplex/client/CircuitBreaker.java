package dev.duplex.client;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * Stops reconnecting for a while after too many failures in a row, so a client does not keep
 * hammering a server (or a load balancer, or a token endpoint) that is down. After
 * {@code threshold} consecutive failed connection attempts the breaker opens for
 * {@code openPeriod}; then it is half-open and lets one attempt through: success closes it, failure
 * opens it again for another period. Pure: time comes from the injected {@link Clock}. Not thread
 * safe (the client calls it from one thread).
 */
final class CircuitBreaker {
    /** The breaker's position. */
    enum State {
        /** Attempts go through; failures are counted. */
        CLOSED,
        /** No attempts until the open period has passed. */
        OPEN,
        /** The open period has passed: the next attempt is the trial. */
        HALF_OPEN
    }

    private final int threshold;
    private final long openMillis;
    private final Clock clock;
    private State state = State.CLOSED;
    private int consecutiveFailures;
    private long openedAt;

    /**
     * @param threshold consecutive failures that open the breaker; 0 disables it
     * @param openPeriod how long it stays open
     */
    CircuitBreaker(int threshold, Duration openPeriod, Clock clock) {
        if (threshold < 0) {
            throw new IllegalArgumentException("The failure threshold must not be negative: " + threshold);
        }
        Objects.requireNonNull(openPeriod, "openPeriod");
        if (openPeriod.isNegative()) {
            throw new IllegalArgumentException("The open period must not be negative: " + openPeriod);
        }
        this.threshold = threshold;
        this.openMillis = openPeriod.toMillis();
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The current state; an open breaker whose period has passed reports (and becomes) half-open. */
    State state() {
        if (state == State.OPEN && clock.millis() - openedAt >= openMillis) {
            state = State.HALF_OPEN;
        }
        return state;
    }

    /** How long until an attempt may start: 0 unless the breaker is open. */
    long delayMillis() {
        if (state() != State.OPEN) {
            return 0;
        }
        return Math.max(0, openedAt + openMillis - clock.millis());
    }

    /** A connection attempt succeeded: the breaker closes and the failure count starts over. */
    void onSuccess() {
        state = State.CLOSED;
        consecutiveFailures = 0;
    }

    /** A connection attempt failed. */
    void onFailure() {
        consecutiveFailures++;
        if (threshold == 0) {
            return;
        }
        State now = state();
        if (now == State.HALF_OPEN || now == State.OPEN || consecutiveFailures >= threshold) {
            state = State.OPEN;
            openedAt = clock.millis();
        }
    }

    int consecutiveFailures() {
        return consecutiveFailures;
    }
}
